import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseChatPort, DEFAULT_CHAT_PORT } from '../src/web/chat-port';

let blocker: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  blocker = undefined;
});

describe('the web chat port', () => {
  it('is 3978 by default, an ephemeral port with a note only when 3978 is taken', async () => {
    const free = await chooseChatPort(undefined);
    if ('port' in free && free.port === DEFAULT_CHAT_PORT) expect(free.note).toBeUndefined();
    blocker = createServer();
    const taken = await new Promise<boolean>((resolve) => {
      blocker?.once('error', () => resolve(true)); // someone else holds it already: still "taken"
      blocker?.listen(DEFAULT_CHAT_PORT, '127.0.0.1', () => resolve(true));
    });
    expect(taken).toBe(true);
    const fallback = await chooseChatPort(undefined);
    expect(fallback).toEqual({ port: 0, note: expect.stringMatching(/port 3978 is taken.*set PORT/) });
  });

  it('takes PORT as given and refuses what is not a port, changing nothing', async () => {
    expect(await chooseChatPort('8080')).toEqual({ port: 8080 });
    expect(await chooseChatPort('0')).toEqual({ port: 0 });
    for (const bad of ['abc', '-1', '70000', '80.5', ' 80'])
      expect(await chooseChatPort(bad)).toEqual({ error: expect.stringContaining('is not a port number') });
  });
});
