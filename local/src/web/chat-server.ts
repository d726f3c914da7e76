import { existsSync, readFileSync } from 'node:fs';
import {
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
  request,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { handleBotMessage } from './bot-endpoint';
import { type Activity, ConversationStore } from './conversations';
import { HttpError, readJson, sendJson } from './http-util';
import { renderPage } from './page';

export interface ChatServerOptions {
  /** The bot served on this server's /api/messages; absent when the bot runs elsewhere (`botEndpoint`). */
  adapter?: CloudAdapter;
  run?: (ctx: TurnContext) => Promise<void>;
  /** Where user activities go when the bot is another process (as Direct Line calls a hosted bot). */
  botEndpoint?: string;
  logger: Logger;
  /** @default 0 (ephemeral) */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Extra facts `/healthz` reports beside `ok` (how the stack is wired, e.g. `orchestrator`). */
  health?: Record<string, string>;
}

export interface ChatServer {
  /** http://127.0.0.1:<port>/ — the web chat page. */
  url: string;
  close(): Promise<void>;
}

/** The package's `exports` hide dist/, so look for the bundle in the node_modules folders Node would search. */
function webchatBundlePath(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('botframework-webchat') ?? []) {
    const candidate = join(dir, 'botframework-webchat', 'dist', 'webchat.js');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('botframework-webchat/dist/webchat.js not found in node_modules');
}

const BOT = { id: 'rackops-bot', name: 'RackOps', role: 'bot' };

/**
 * One loopback HTTP server with four faces:
 * - `/` and `/webchat.js`: the page and Bot Framework Web Chat's bundled dist (from node_modules, no CDN);
 * - `/v3/directline/...`: the Direct Line 3.0 calls Web Chat makes (start conversation, post activity, poll);
 * - `/v3/conversations/...`: the Bot Connector calls the bot makes (send, reply, update via PUT, delete,
 *   create conversation), so cards can be updated in place and proactive messages arrive;
 * - `/api/messages`: the bot itself (botbuilder CloudAdapter), which Direct Line forwards user activities to.
 */
export async function startChatServer(opts: ChatServerOptions): Promise<ChatServer> {
  const store = new ConversationStore();
  const webchatJs = readFileSync(webchatBundlePath());
  let base = '';
  const log = opts.logger;

  /** Turns under way (Direct Line answers Web Chat before the bot finishes): close waits for them. */
  const turns = new Set<Promise<void>>();
  function toBot(activity: Activity): Promise<void> {
    const turn = deliver(activity).finally(() => turns.delete(turn));
    turns.add(turn);
    return turn;
  }

  // Every user activity is one POST to the bot, answered when its turn ends: kept-alive loopback connections
  // (fetch spent about half a millisecond of this process's CPU per call, beside the bot on the same cores).
  const toBotAgent = new Agent({ keepAlive: true });
  function deliver(activity: Activity): Promise<void> {
    const url = new URL(opts.botEndpoint ?? `${base}api/messages`);
    if (url.protocol !== 'http:')
      return Promise.reject(new Error(`the local bot endpoint is http on loopback, not ${url.href}`));
    return new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' }, agent: toBotAgent },
        (res) => {
          res.resume();
          res.on('error', reject);
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 400) log.warn({ status: res.statusCode }, 'bot refused an activity');
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(activity));
    });
  }

  function auth(req: IncomingMessage, convId: string) {
    const conv = store.get(convId);
    if (!conv) throw new HttpError(404, 'no such conversation');
    const header = req.headers.authorization ?? '';
    if (header !== `Bearer ${conv.token}`) throw new HttpError(403, 'bad token');
    return conv;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    log.debug({ method, path }, 'chat server request');

    if (method === 'GET' && (path === '/' || path === '/index.html')) {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(renderPage());
      return;
    }
    if (method === 'GET' && path === '/webchat.js') {
      res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' }).end(webchatJs);
      return;
    }
    if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true, ...opts.health });
    if (method === 'POST' && path === '/api/messages' && opts.adapter && opts.run)
      return handleBotMessage(opts.adapter, opts.run, req, res);

    // ---- Direct Line 3.0 (Web Chat) ----
    if (
      method === 'POST' &&
      (path === '/v3/directline/conversations' || path === '/v3/directline/tokens/generate')
    ) {
      const conv = store.create();
      const user = url.searchParams.get('user');
      sendJson(res, 201, { conversationId: conv.id, token: conv.token, expires_in: 3600 });
      // Like the hosted service: tell the bot someone joined, so it can greet.
      void toBot({
        type: 'conversationUpdate',
        channelId: 'directline',
        serviceUrl: base,
        conversation: { id: conv.id },
        recipient: BOT,
        from: { id: user ?? 'local-user', role: 'user' },
        membersAdded: [BOT, { id: user ?? 'local-user' }],
      }).catch((err) => log.warn({ err }, 'conversationUpdate not delivered'));
      return;
    }
    if (method === 'POST' && path === '/v3/directline/tokens/refresh')
      return sendJson(res, 200, { token: 'local', expires_in: 3600 });
    const dlConversation = path.match(/^\/v3\/directline\/conversations\/([^/]+)$/);
    if (dlConversation && method === 'GET') {
      const conv = auth(req, decodeURIComponent(dlConversation[1] ?? ''));
      return sendJson(res, 200, { conversationId: conv.id, token: conv.token, expires_in: 3600 });
    }
    const dlActivities = path.match(/^\/v3\/directline\/conversations\/([^/]+)\/activities$/);
    if (dlActivities) {
      const conv = auth(req, decodeURIComponent(dlActivities[1] ?? ''));
      if (method === 'GET') {
        const watermark = Number(url.searchParams.get('watermark') ?? '0');
        if (conv.stream.length <= watermark) await store.waitForChange(conv.id, 1000);
        return sendJson(res, 200, store.since(conv, watermark));
      }
      if (method === 'POST') {
        const incoming = (await readJson(req)) as Activity;
        const from = (incoming.from as Record<string, unknown> | undefined) ?? { id: 'local-user' };
        const stored = store.append(conv, {
          ...incoming,
          from: { ...from, role: 'user' },
          channelId: 'directline',
        });
        sendJson(res, 200, { id: stored.id });
        // The bot is told after Web Chat has its id back, so a slow turn never blocks the send box.
        void toBot({ ...stored, serviceUrl: base, recipient: BOT, from: { ...from, role: 'user' } }).catch(
          (err) => log.warn({ err }, 'activity not delivered to the bot'),
        );
        return;
      }
    }

    // ---- Bot Connector (the bot's outgoing calls) ----
    if (method === 'POST' && path === '/v3/conversations') {
      const body = (await readJson(req)) as { activity?: Activity };
      const conv = store.create();
      const first = body.activity ? store.append(conv, { ...body.activity, from: BOT }) : undefined;
      return sendJson(res, 200, {
        id: conv.id,
        serviceUrl: base,
        ...(first ? { activityId: first.id } : {}),
      });
    }
    if (/^\/v3\/conversations\/[^/]+\/members$/.test(path) && method === 'GET') return sendJson(res, 200, []);
    const m = path.match(/^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/);
    if (m) {
      const conv = store.get(decodeURIComponent(m[1] ?? ''));
      if (!conv) throw new HttpError(404, 'no such conversation');
      const activityId = m[2] ? decodeURIComponent(m[2]) : undefined;
      if (method === 'POST') {
        const body = (await readJson(req)) as Activity;
        if (body.type === 'typing') return sendJson(res, 200, { id: '' });
        // A reply names what it replies to in the path.
        const { replyToId: _given, ...rest } = body;
        const stored = store.append(conv, { ...rest, from: BOT, ...store.replyTo(conv, activityId) });
        return sendJson(res, 200, { id: stored.id });
      }
      if (method === 'PUT' && activityId) {
        // Without a real replyToId of its own, the message keeps what it replied to.
        const { replyToId: given, ...body } = (await readJson(req)) as Activity;
        if (!store.update(conv, activityId, { ...body, ...store.replyTo(conv, given) }))
          throw new HttpError(404, 'no such activity');
        return sendJson(res, 200, { id: activityId });
      }
      if (method === 'DELETE' && activityId) {
        store.update(conv, activityId, { type: 'message', text: '(deleted)', attachments: [] });
        return sendJson(res, 200, {});
      }
    }
    throw new HttpError(404, `no route for ${method} ${path}`);
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error({ err, url: req.url }, 'chat server error');
      if (!res.headersSent)
        sendJson(res, status, {
          error: { code: String(status), message: err instanceof Error ? err.message : 'error' },
        });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  base = `http://${opts.host ?? '127.0.0.1'}:${address.port}/`;
  return {
    url: base,
    async close() {
      await Promise.allSettled([...turns]);
      store.wakeAll();
      server.closeAllConnections();
      toBotAgent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
