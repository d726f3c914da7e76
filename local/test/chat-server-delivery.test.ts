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
