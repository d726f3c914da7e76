import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudAdapter } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorReusingAuthentication } from '../src/connector-reuse';
import { cloudAdapterGateway } from '../src/gateway';

/** A Bot Connector on loopback that records each call the bot makes: method, path and body. */
let connector: Server;
let serviceUrl: string;
const calls: { method: string; path: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  connector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: req.method ?? '', path: req.url ?? '', body: text ? JSON.parse(text) : {} });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'm-1' }));
    });
  });
  await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => connector.close(() => resolve()));
});

describe('the proactive gateway (CloudAdapter, as in AWS and locally)', () => {
  it('updates a card in place without naming the made-up continuation activity as the one it replies to', async () => {
    // No app id: botbuilder sends without a token, as to the loopback Bot Connector of the local stack.
    const gateway = cloudAdapterGateway(new CloudAdapter(new ConnectorReusingAuthentication({})), '');
    const ref = {
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: 'a:conv-1', name: 'ops', isGroup: false, conversationType: 'personal' },
      bot: { id: '28:bot', name: 'RackOps' },
      user: { id: '29:olga', name: 'Olga' },
    };
    calls.length = 0;
    await gateway.update(ref, 'm-1', { type: 'message', text: 'job done' });
    await gateway.update(ref, 'm-1', { type: 'message', text: 'job done, again' });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'PUT /v3/conversations/a%3Aconv-1/activities/m-1',
      'PUT /v3/conversations/a%3Aconv-1/activities/m-1',
    ]);
    // What the update carries: the card and where it goes, and nothing it replies to (it still replies to
    // what it replied to when it was sent; Web Chat held each update naming an unknown message for 5 s).
    for (const { body } of calls) {
      expect(body).toMatchObject({ id: 'm-1', type: 'message', conversation: { id: 'a:conv-1' } });
      expect(body).not.toHaveProperty('replyToId');
    }
  });
});
