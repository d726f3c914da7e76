import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { readJson } from './http-util';

/**
 * POST /api/messages: hand the activity to botbuilder's CloudAdapter exactly as a hosted bot would (it validates
 * the Authorization header when an app id is configured; locally there is none), then run the bot.
 */
export async function handleBotMessage(
  adapter: CloudAdapter,
  run: (ctx: TurnContext) => Promise<void>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = (await readJson(req)) as Record<string, unknown>;
  let status = 200;
  let sent = false;
  const response = {
    socket: req.socket,
    status(code: number) {
      status = code;
    },
    header(name: string, value: unknown) {
      if (!res.headersSent) res.setHeader(name, String(value));
    },
    send(payload?: unknown) {
      if (sent) return;
      sent = true;
      if (payload === undefined) {
        res.writeHead(status).end();
        return;
      }
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    },
    end() {
      if (sent) return;
      sent = true;
      res.writeHead(status).end();
    },
  };
  await adapter.process({ body, headers: req.headers, method: req.method ?? 'POST' }, response, run);
  if (!sent) response.end();
}
