import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../src/web/chat-server';

/** A stand-in bot in another "process": records each activity and the connection it came on. */
async function fakeBot(): Promise<{ url: string; seen: { type: string; socket: number }[]; server: Server }> {
  const seen: { type: string; socket: number }[] = [];
  const sockets = new WeakMap<object, number>();
  let nextSocket = 0;
  const server = createServer((req, res) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, nextSocket++);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string };
      seen.push({ type: activity.type, socket: sockets.get(req.socket) ?? -1 });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/messages`, seen, server };
}

function capturedLogger() {
  const lines: { msg?: string; err?: { message?: string } }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

let chat: ChatServer | undefined;
let bot: Server | undefined;
afterEach(async () => {
  await chat?.close();
  chat = undefined;
  await new Promise<void>((resolve) => (bot ? bot.close(() => resolve()) : resolve()));
  bot = undefined;
});

describe('local chat server: user activities to a bot in another process', () => {
  it('delivers every activity of a conversation, one after another, on one kept-alive connection', async () => {
    const fake = await fakeBot();
    bot = fake.server;
    const { logger } = capturedLogger();
    chat = await startChatServer({ botEndpoint: fake.url, logger });
    const open = await fetch(`${chat.url}v3/directline/conversations`, { method: 'POST' });
    const { conversationId, token } = (await open.json()) as { conversationId: string; token: string };
    await until(() => fake.seen.length === 1);
    for (const text of ['help', 'jobs', 'status']) {
      const posted = await fetch(`${chat.url}v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text, from: { id: 'u1' } }),
      });
      expect(posted.status).toBe(200);
      const n = fake.seen.length;
      await until(() => fake.seen.length === n + 1);
    }
    expect(fake.seen.map((s) => s.type)).toEqual(['conversationUpdate', 'message', 'message', 'message']);
    expect(new Set(fake.seen.map((s) => s.socket)).size).toBe(1);
  });

  it('a bot endpoint that is not http on loopback is refused with a clear error, and the server keeps serving', async () => {
    const { logger, lines } = capturedLogger();
    chat = await startChatServer({ botEndpoint: 'https://127.0.0.1:9/api/messages', logger });
    const open = await fetch(`${chat.url}v3/directline/conversations`, { method: 'POST' });
    expect(open.status).toBe(201);
    await until(() => lines.some((l) => l.msg === 'conversationUpdate not delivered'));
    const line = lines.find((l) => l.msg === 'conversationUpdate not delivered');
    expect(line?.err?.message).toMatch(/http on loopback, not https:\/\/127\.0\.0\.1:9\/api\/messages/);
    expect((await fetch(`${chat.url}healthz`)).status).toBe(200);
  });
});

describe('local chat server: a card updated in place', () => {
  it('keeps what the message replied to unless the update names a real message (Web Chat holds unknown ones 5 s)', async () => {
    const fake = await fakeBot();
    bot = fake.server;
    chat = await startChatServer({ botEndpoint: fake.url, logger: capturedLogger().logger });
    const open = await fetch(`${chat.url}v3/directline/conversations`, { method: 'POST' });
    const { conversationId, token } = (await open.json()) as { conversationId: string; token: string };
    const dl = `${chat.url}v3/directline/conversations/${conversationId}/activities`;
    const bc = `${chat.url}v3/conversations/${encodeURIComponent(conversationId)}/activities`;
    const json = async (url: string, method: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { id: string };
    };
    const asked = await json(
      dl,
      'POST',
      { type: 'message', text: 'update cluster lab-a', from: { id: 'u1' } },
      {
        authorization: `Bearer ${token}`,
      },
    );
    const other = await json(
      dl,
      'POST',
      { type: 'message', text: 'jobs', from: { id: 'u1' } },
      {
        authorization: `Bearer ${token}`,
      },
    );
    // The bot's card, a reply to the first message.
    const card = await json(`${bc}/${encodeURIComponent(asked.id)}`, 'POST', {
      type: 'message',
      text: 'card v1',
    });
    const latest = async () => {
      const res = await fetch(`${dl}?watermark=0`, { headers: { authorization: `Bearer ${token}` } });
      const { activities } = (await res.json()) as {
        activities: { id: string; text?: string; replyToId?: string }[];
      };
      return activities.filter((a) => a.id === card.id).at(-1);
    };
    expect(await latest()).toMatchObject({ text: 'card v1', replyToId: asked.id });

    // Updates from outside a turn name a made-up continuation activity: the card still replies to the question.
    await json(`${bc}/${encodeURIComponent(card.id)}`, 'PUT', {
      type: 'message',
      text: 'card v2',
      replyToId: 'made-up',
    });
    expect(await latest()).toMatchObject({ text: 'card v2', replyToId: asked.id });
    await json(`${bc}/${encodeURIComponent(card.id)}`, 'PUT', { type: 'message', text: 'card v3' });
    expect(await latest()).toMatchObject({ text: 'card v3', replyToId: asked.id });
    // An update in a turn (a card action) names that turn's message, which is real: it is kept.
    await json(`${bc}/${encodeURIComponent(card.id)}`, 'PUT', {
      type: 'message',
      text: 'card v4',
      replyToId: other.id,
    });
    expect(await latest()).toMatchObject({ text: 'card v4', replyToId: other.id });
  });
});
