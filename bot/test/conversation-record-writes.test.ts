import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../lambdas/src/adapters/dynamo-store';
import { observeDynamoCalls } from '../../lambdas/src/adapters/dynamo/lean-client';
import { loadConversation, saveConversation } from '../src/records';

/**
 * What the conversation record costs DynamoDB, request by request (dynalite, every request the Store sends seen).
 * A conditional write costs DynamoDB the same write unit when its condition fails, and dynalite about twice the
 * CPU of a plain one (0.7 against 1.1–2.0 ms, 2026-12-08): fifty people's first messages at once are fifty of
 * them, and the next messages wait behind them. So the record is a plain write, made once per process unless the
 * reference changes.
 */
let dynalite: RunningDynalite;
let sent: { op: string; conditional: boolean }[] = [];
const TABLE = 'conversation-writes';

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.close();
});
beforeEach(() => {
  sent = [];
});

/** A Store as one bot process has it: a client of its own (its own Lambda instance). */
async function processStore() {
  const client = dynalite.client();
  observeDynamoCalls(client, 'seen', async (op, input, call) => {
    sent.push({ op, conditional: 'ConditionExpression' in input });
    return call(input);
  });
  const store = createDynamoStore({ client, tableName: TABLE });
  await store.migrate();
  sent = [];
  return store;
}

const ref = (serviceUrl: string) => ({
  conversation: { id: 'conv-w', name: 'ops', isGroup: false, conversationType: 'personal' },
  user: { id: 'u1', name: 'Ops' },
  channelId: 'msteams',
  serviceUrl,
});

describe('the conversation record, request by request', () => {
  it('is one plain write per process and conversation, and again only when the reference changes', async () => {
    const first = await processStore();
    await saveConversation(first, ref('https://smba.example/emea/'));
    expect(sent).toEqual([{ op: 'UpdateItem', conditional: false }]);

    // The conversation's next messages in this process: nothing to write.
    sent = [];
    await saveConversation(first, ref('https://smba.example/emea/'));
    await saveConversation(first, ref('https://smba.example/emea/'));
    expect(sent).toEqual([]);

    // Teams moved the conversation to another service URL: written again, and read back as it now is.
    await saveConversation(first, ref('https://smba.example/amer/'));
    expect(sent).toEqual([{ op: 'UpdateItem', conditional: false }]);
    expect(await loadConversation(first, 'conv-w')).toMatchObject({
      serviceUrl: 'https://smba.example/amer/',
    });

    // Another process (a new Lambda instance) knows nothing of it: one plain write, the same record.
    const second = await processStore();
    await saveConversation(second, ref('https://smba.example/amer/'));
    expect(sent).toEqual([{ op: 'UpdateItem', conditional: false }]);
    expect(await loadConversation(second, 'conv-w')).toEqual(ref('https://smba.example/amer/'));
  });
});
