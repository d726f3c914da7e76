import { messageGroupId } from '@rackops/core/relay/envelope';
import type { Keyring } from '@rackops/core/relay/keyring';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Timer } from '@rackops/core/ports/clock.port';
import type { Store } from '@rackops/core/ports/store.port';
import { ConflictError } from '@rackops/core/util/errors';
import type { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { RELAY_COMMAND_TYPE, type RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import { createResultHandler } from '../src/handlers/result.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';
import { sqsBatch } from '@rackops/local/testing/agent-messages';
import { type RelayRig, startRelayRig } from '@rackops/local/testing/relay-rig';

const KEYS: Keyring = { activeKid: 'k1', keys: { k1: 'the-relay-signing-key-0123456789abcdef-0123' } };

let t: TestStore;
let rig: RelayRig;
beforeAll(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  await rig?.stop();
});
afterAll(async () => {
  await t?.close();
});

const batch = (msgs: RelayMessage[]) => sqsBatch(...msgs.map((m) => signRelayMessage(m, KEYS)));

type SentCommand = Awaited<ReturnType<RelayRig['start']>>['command'];
/** What every message about `command` carries, as the agent would send it now. */
const about = (command: SentCommand) =>
  ({
    v: 1,
    commandId: command.id,
    kind: command.kind,
    jobId: command.jobId,
    taskToken: command.taskToken,
    target: messageGroupId(command.target),
    at: new Date().toISOString(),
  }) as const;

/**
 * The real Store, except that the command record's conditional write loses `losses` times first, as it does when
 * other messages of the same command keep winning; records when each attempt was made.
 */
function losingStore(store: Store, losses: number): { store: Store; attempts: number[] } {
  const attempts: number[] = [];
  let left = losses;
  return {
    attempts,
    store: {
      ...store,
      putRecord: async (rec, opts) => {
        if (rec.type === RELAY_COMMAND_TYPE && (opts?.ifVersion !== undefined || opts?.ifAbsent)) {
          attempts.push(performance.now());
          if (left-- > 0) throw new ConflictError('the record changed meanwhile');
        }
        return store.putRecord(rec, opts);
      },
    },
  };
}

describe('result/progress races on one command record', () => {
  it('a result racing 30 of its own progress messages in one batch is recorded at once, none re-queued', async () => {
    rig = startRelayRig(t.store, () => KEYS);
    const { executionId, command } = await rig.start('job-race-1', 'RACE001');
    const base = about(command);
    const progress = Array.from(
      { length: 30 },
      (_, i): RelayMessage => ({ ...base, type: 'progress', message: `step ${i}` }),
    );
    const result: RelayMessage = { ...base, type: 'result', ok: true, output: {}, durationMs: 9 };
    const out = await rig.results(batch([...progress.slice(0, 15), result, ...progress.slice(15)]));
    expect(out.batchItemFailures).toEqual([]);
    await rig.engine.waitForExecution(executionId);
    expect(await rig.status(executionId)).toBe('SUCCEEDED');
    expect((await t.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, command.id))?.data.status).toBe(
      'succeeded',
    );
  });

  it('retries a lost conditional write up to 8 times with jittered, growing backoff before giving up', async () => {
    rig = startRelayRig(t.store, () => KEYS);
    const { command } = await rig.start('job-race-2', 'RACE002');
    const engine: LocalEngine = rig.engine;
    const msg: RelayMessage = {
      ...about(command),
      type: 'result',
      ok: true,
      output: {},
      durationMs: 1,
    };
    const handler = (store: Store) =>
      createResultHandler({
        store,
        orchestrator: createLocalOrchestrator(engine),
        relayKey: async () => KEYS,
      });

    // Seven losses: the eighth attempt wins (five attempts without a pause were all there used to be).
    const seven = losingStore(t.store, 7);
    expect((await handler(seven.store)(batch([msg]))).batchItemFailures).toEqual([]);
    expect(seven.attempts).toHaveLength(8);
    const gaps = seven.attempts.slice(1).map((a, i) => a - (seven.attempts[i] as number));
    // Full jitter: spread out, not back to back; the ceiling doubles from 20 ms, so the total is bounded.
    expect(gaps.reduce((s, g) => s + g, 0)).toBeGreaterThan(20);
    expect(gaps.reduce((s, g) => s + g, 0)).toBeLessThan(3000);
    expect(new Set(gaps.map((g) => Math.round(g))).size).toBeGreaterThan(1);

    // Eight losses: the message goes back to the queue (SQS redelivers it later), after eight attempts.
    const eight = losingStore(t.store, 8);
    expect((await handler(eight.store)(batch([msg]))).batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(eight.attempts).toHaveLength(8);
  });
  it('a result that lost its write to its own progress goes again at once; a progress that lost backs off', async () => {
    rig = startRelayRig(t.store, () => KEYS);
    const { executionId, command } = await rig.start('job-race-3', 'RACE003');
    const sleeps: number[] = [];
    const timer: Timer = {
      nowMs: () => Date.now(),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    };
    const base = about(command);
    const handler = (store: Store) =>
      createResultHandler({
        store,
        orchestrator: createLocalOrchestrator(rig.engine),
        relayKey: async () => KEYS,
        timer,
      });

    const progressLost = losingStore(t.store, 1);
    const progress: RelayMessage = { ...base, type: 'progress', message: 'rebooting' };
    expect((await handler(progressLost.store)(batch([progress]))).batchItemFailures).toEqual([]);
    expect(progressLost.attempts).toHaveLength(2);
    expect(sleeps).toHaveLength(1);

    // The outcome: its first loss costs no pause (the workflow waits on it), its second one does.
    sleeps.length = 0;
    const resultLost = losingStore(t.store, 2);
    const result: RelayMessage = { ...base, type: 'result', ok: true, output: {}, durationMs: 5 };
    expect((await handler(resultLost.store)(batch([result]))).batchItemFailures).toEqual([]);
    expect(resultLost.attempts).toHaveLength(3);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThanOrEqual(20);
    await rig.engine.waitForExecution(executionId);
    expect(await rig.status(executionId)).toBe('SUCCEEDED');
    const rec = await t.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, command.id);
    expect(rec?.data.status).toBe('succeeded');
    expect(rec?.data.progress).toBe('rebooting');
  });
});
