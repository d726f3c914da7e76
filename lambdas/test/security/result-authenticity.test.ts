import { aJob } from '../../../core/test/job-factory';
import { type Envelope, messageGroupId } from '@rackops/core/relay/envelope';
import type { Keyring } from '@rackops/core/relay/keyring';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { ConflictError } from '@rackops/core/util/errors';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchHandler } from '../../src/handlers/dispatch.handler';
import { RELAY_COMMAND_TYPE, type RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import { SECURITY_EVENT_TYPE, type SecurityEvent } from '../../src/handlers/security-event';
import { type TestStore, startTestStore } from '../helpers/dynalite-store';
import { resultFor, sqsBatch as batch } from '@rackops/local/testing/agent-messages';
import { type RelayRig, startRelayRig } from '@rackops/local/testing/relay-rig';

const KEYS: Keyring = { activeKid: 'k1', keys: { k1: 'the-relay-signing-key-0123456789abcdef-0123' } };
const ATTACKER: Keyring = { activeKid: 'k1', keys: { k1: 'a-guessed-key-a-guessed-key-a-guessed-key!' } };

let t: TestStore;
let rig: RelayRig;
let seq = 0;
beforeAll(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  await rig?.stop();
});
afterAll(async () => {
  await t?.close();
});

/** Two jobs, each waiting on its own command to its own iDRAC. */
async function twoWaiting() {
  rig = startRelayRig(t.store, () => KEYS);
  const n = ++seq;
  const a = await rig.start(`job-auth-a${n}`, `AAA${n}`);
  const b = await rig.start(`job-auth-b${n}`, `BBB${n}`);
  return { a, b };
}

/** Sends `body`, expects it refused for `reason`: no failure (not redelivered), a security event, nothing moved. */
async function expectRefused(
  body: unknown,
  reason: string,
  waiting: { executionId: string; command: Envelope }[],
) {
  const before = (await t.store.listRecordsByType<SecurityEvent>(SECURITY_EVENT_TYPE, { limit: 1000 })).items
    .length;
  const out = await rig.results(batch(body));
  expect(out.batchItemFailures).toEqual([]);
  const events = (await t.store.listRecordsByType<SecurityEvent>(SECURITY_EVENT_TYPE, { limit: 1000 })).items;
  expect(events.length).toBe(before + 1);
  expect(events.map((e) => e.data.reason)).toContain(reason);
  expect(rig.logs).toContainEqual(
    expect.objectContaining({ securityEvent: 'relay_message_refused', reason, level: 40 }),
  );
  for (const w of waiting) {
    expect(await rig.status(w.executionId)).toBe('RUNNING');
    const rec = await t.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, w.command.id);
    expect(rec?.data.status).toBe('sent');
  }
}

describe('result authenticity: only the agent, only about what we dispatched', () => {
  it('refuses a forged result (signed with a key the cloud does not hold the same)', async () => {
    const { a } = await twoWaiting();
    await expectRefused(signRelayMessage(resultFor(a.command), ATTACKER), 'bad_signature', [a]);
  });

  it('refuses an unsigned result', async () => {
    const { a } = await twoWaiting();
    await expectRefused(resultFor(a.command), 'unsigned', [a]);
  });

  it('refuses a result signed with an unknown key id', async () => {
    const { a } = await twoWaiting();
    const other: Keyring = { activeKid: 'k9', keys: { k9: KEYS.keys.k1 as string } };
    await expectRefused(signRelayMessage(resultFor(a.command), other), 'unknown_key', [a]);
  });

  it("refuses a result carrying another job's task token (wrong token)", async () => {
    const { a, b } = await twoWaiting();
    const msg = resultFor(a.command, { taskToken: b.command.taskToken });
    await expectRefused(signRelayMessage(msg, KEYS), 'token_mismatch', [a, b]);
  });

  it('refuses a result naming another target than the command was sent to (wrong target)', async () => {
    const { a, b } = await twoWaiting();
    const msg = resultFor(a.command, { target: messageGroupId(b.command.target) });
    await expectRefused(signRelayMessage(msg, KEYS), 'target_mismatch', [a, b]);
  });

  it('refuses a result for a command id that was never dispatched, even with a live token', async () => {
    const { a } = await twoWaiting();
    const msg = resultFor(a.command, { commandId: 'never-sent-0001' });
    await expectRefused(signRelayMessage(msg, KEYS), 'unknown_command', [a]);
  });

  it('refuses a result for another kind or another job than the command', async () => {
    const { a, b } = await twoWaiting();
    await expectRefused(
      signRelayMessage(resultFor(a.command, { kind: 'host.state' }), KEYS),
      'kind_mismatch',
      [a],
    );
    await expectRefused(
      signRelayMessage(resultFor(a.command, { jobId: b.command.jobId }), KEYS),
      'job_mismatch',
      [a, b],
    );
  });

  it('refuses a message sent too long ago (expired) or in the future, including a 75-year-old one', async () => {
    const { a } = await twoWaiting();
    const day = 86_400_000;
    await expectRefused(
      signRelayMessage(resultFor(a.command, { at: new Date(Date.now() - 2 * day).toISOString() }), KEYS),
      'stale',
      [a],
    );
    await expectRefused(
      signRelayMessage(
        resultFor(a.command, { at: new Date(Date.now() - 75 * 365 * day).toISOString() }),
        KEYS,
      ),
      'stale',
      [a],
    );
    await expectRefused(
      signRelayMessage(resultFor(a.command, { at: new Date(Date.now() + 3_600_000).toISOString() }), KEYS),
      'from_future',
      [a],
    );
  });

  it('refuses a tampered result (ok flipped after signing)', async () => {
    const { a } = await twoWaiting();
    const signed = signRelayMessage(
      resultFor(a.command, { ok: false, error: { code: 'x', message: 'y' } }),
      KEYS,
    );
    await expectRefused({ ...signed, ok: true }, 'bad_signature', [a]);
  });

  it('refuses forged progress (no heartbeat for the task, no "running")', async () => {
    const { a } = await twoWaiting();
    const progress = {
      type: 'progress',
      v: 1,
      commandId: a.command.id,
      kind: a.command.kind,
      jobId: a.command.jobId,
      taskToken: a.command.taskToken,
      target: messageGroupId(a.command.target),
      at: new Date().toISOString(),
      message: 'all good',
    } as RelayMessage;
    await expectRefused(progress, 'unsigned', [a]);
    await expectRefused(signRelayMessage(progress, ATTACKER), 'bad_signature', [a]);
  });

  it('refuses an unsigned heartbeat (an attacker cannot pose as the agent being online)', async () => {
    await twoWaiting();
    const beat = {
      type: 'agent-heartbeat',
      v: 1,
      agentId: 'relay-fake',
      version: '9.9.9',
      at: new Date().toISOString(),
      uptimeSeconds: 1,
      inFlight: [],
    };
    await expectRefused(beat, 'unsigned', []);
    expect(await t.store.getRecord('agent-heartbeat', 'relay-fake')).toBeUndefined();
  });

  it('acts on the genuine result, then refuses a replayed contradicting one (conflicting_result)', async () => {
    const { a, b } = await twoWaiting();
    const genuine = signRelayMessage(resultFor(a.command), KEYS);
    expect((await rig.results(batch(genuine))).batchItemFailures).toEqual([]);
    await rig.engine.waitForExecution(a.executionId);
    expect(await rig.status(a.executionId)).toBe('SUCCEEDED');
    const contradicting = signRelayMessage(
      resultFor(a.command, { ok: false, error: { code: 'boom', message: 'no' }, output: undefined }),
      KEYS,
    );
    await expectRefused(contradicting, 'conflicting_result', [b]);
    expect((await t.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, a.command.id))?.data.status).toBe(
      'succeeded',
    );
    // The same genuine result again (the agent re-sends a recorded result on redelivery): no refusal.
    const events = (await t.store.listRecordsByType(SECURITY_EVENT_TYPE, { limit: 1000 })).items.length;
    expect((await rig.results(batch(genuine))).batchItemFailures).toEqual([]);
    expect((await t.store.listRecordsByType(SECURITY_EVENT_TYPE, { limit: 1000 })).items.length).toBe(events);
  });

  it('never stores the task token, only its SHA-256, and no refusal logs it', async () => {
    const { a } = await twoWaiting();
    await rig.results(batch(signRelayMessage(resultFor(a.command), ATTACKER)));
    const rec = await t.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, a.command.id);
    expect(rec?.data.taskTokenSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rec)).not.toContain(a.command.taskToken as string);
    expect(JSON.stringify(rig.logs)).not.toContain(a.command.taskToken as string);
  });
});

describe('dispatch records what a result is checked against', () => {
  it('fails (and sends nothing) when the command record cannot be written', async () => {
    await t.store.createJob(aJob({ id: 'job-norec' }));
    const sent: Envelope[] = [];
    const failing = {
      ...t.store,
      putRecord: async () => {
        throw new ConflictError('the table is unavailable');
      },
    };
    const dispatch = createDispatchHandler({
      store: failing,
      commands: { send: async (e) => void sent.push(e) },
      relayKey: async () => KEYS,
    });
    await expect(
      dispatch({
        jobId: 'job-norec',
        command: { kind: 'host.power', target: { type: 'idrac', id: 'NOREC01' }, params: { action: 'On' } },
        taskToken: 'token-norec',
      }),
    ).rejects.toThrow(/unavailable/);
    expect(sent).toEqual([]);
  });
});
