import { CommandKind } from '@rackops/core/relay/commands';
import { messageGroupId } from '@rackops/core/relay/envelope';
import type { Keyring } from '@rackops/core/relay/keyring';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { RELAY_COMMAND_TYPE, type RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import { SECURITY_EVENT_TYPE } from '@rackops/lambdas/handlers/security-event';
import { startDynalite } from '@rackops/local/dynalite';
import { progressFor, resultFor } from '@rackops/local/testing/agent-messages';
import { startRelayRig } from '@rackops/local/testing/relay-rig';
import { pino } from 'pino';
import type { AttackCatalogue, AttackOutcome } from './attack';

const AREA = 'results';
const KEYS: Keyring = { activeKid: 'k1', keys: { k1: 'bench-relay-signing-key-0123456789abcdef-01' } };

/**
 * Someone who can send to the results queue (a leaked queue credential, the relay role trusted too widely, a
 * confused agent) tries to answer tasks: forged, unsigned, re-keyed, misbound, stale, tampered and replayed
 * results, progress and heartbeats, against the real result handler on dynalite with real waiting executions
 * (the local engine, the real dispatch handler). Refused = the handler consumed the message, recorded a
 * security event, and every waiting execution still waits with its command still `sent`.
 */
export const run: AttackCatalogue = async () => {
  const dynalite = await startDynalite();
  const store = createDynamoStore({ client: dynalite.client(), tableName: 'bench-results-attacks' });
  await store.migrate();
  const rig = startRelayRig(store, () => KEYS, pino({ level: 'silent' }));
  const outcomes: AttackOutcome[] = [];
  try {
    const a = await rig.start('job-atk-a', 'ATKA001');
    const b = await rig.start('job-atk-b', 'ATKB001');
    const waiting = [a, b];

    const heartbeat = (agentId: string): RelayMessage => ({
      type: 'agent-heartbeat',
      v: 1,
      agentId,
      version: '9.9.9',
      at: new Date().toISOString(),
      uptimeSeconds: 1,
      inFlight: [],
    });
    const sign = (m: RelayMessage, keys: Keyring = KEYS) => signRelayMessage(m, keys);
    const events = async () =>
      (await store.listRecordsByType(SECURITY_EVENT_TYPE, { limit: 1000 })).items.length;

    const attack = async (name: string, body: unknown, extra?: () => Promise<string | undefined>) => {
      const before = await events();
      let detail: string;
      let refused: boolean;
      try {
        const out = await rig.results({
          Records: [{ messageId: 'm-0', body: typeof body === 'string' ? body : JSON.stringify(body) }],
        });
        const recorded = (await events()) > before;
        const moved: string[] = [];
        for (const w of waiting) {
          const status = await rig.status(w.executionId);
          const rec = await store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, w.command.id);
          if (status !== 'RUNNING') moved.push(`${w.command.jobId} ${status}`);
          if (rec?.data.status !== 'sent') moved.push(`${w.command.id} ${rec?.data.status}`);
        }
        const other = extra ? await extra() : undefined;
        if (other) moved.push(other);
        refused = out.batchItemFailures.length === 0 && recorded && moved.length === 0;
        detail = refused
          ? 'consumed, recorded as a security event, nothing answered'
          : `failures=${out.batchItemFailures.length} recorded=${recorded} moved=${moved.join(', ')}`;
      } catch (err) {
        refused = false;
        detail = `threw: ${(err as Error).message}`;
      }
      outcomes.push({ area: AREA, name, refused, detail });
    };

    // Forged: signed with keys the cloud does not hold under that id.
    for (let i = 0; i < 12; i++) {
      const attacker: Keyring = { activeKid: 'k1', keys: { k1: `attacker-key-${i}-${'x'.repeat(32)}` } };
      await attack(
        `forged result #${i} (guessed key under the real kid)`,
        sign(resultFor(a.command), attacker),
      );
    }
    for (let i = 0; i < 6; i++) {
      const attacker: Keyring = { activeKid: 'k1', keys: { k1: `attacker-key-p${i}-${'y'.repeat(32)}` } };
      await attack(`forged progress #${i}`, sign(progressFor(b.command), attacker));
    }
    // Unsigned, each message type.
    await attack('unsigned result ok', resultFor(a.command));
    await attack(
      'unsigned result failed',
      resultFor(a.command, { ok: false, error: { code: 'x', message: 'y' } }),
    );
    await attack('unsigned progress', progressFor(a.command));
    await attack('unsigned rejection', {
      type: 'rejected',
      v: 1,
      commandId: a.command.id,
      jobId: a.command.jobId,
      taskToken: a.command.taskToken,
      at: new Date().toISOString(),
      reason: 'bad_signature',
      detail: 'forged',
    });
    await attack('unsigned heartbeat', heartbeat('relay-impostor-0'), async () =>
      (await store.getRecord('agent-heartbeat', 'relay-impostor-0')) ? 'heartbeat recorded' : undefined,
    );
    await attack('kid without sig', { ...resultFor(a.command), kid: 'k1' });
    await attack('sig without kid', { ...sign(resultFor(a.command)), kid: undefined });
    // Unknown key ids, with the real key behind them (a key id the cloud never issued).
    for (const kid of [
      'k0',
      'k2',
      'default',
      'K1',
      'k1 ',
      'old',
      'next',
      'admin',
      'root',
      '0',
      'k1.k1',
      '-',
    ]) {
      const ring: Keyring = { activeKid: kid, keys: { [kid]: KEYS.keys.k1 as string } };
      await attack(`unknown key id "${kid}"`, sign(resultFor(a.command), ring));
    }
    // Signature format games.
    const good = sign(resultFor(a.command)) as RelayMessage & { sig: string };
    await attack('signature truncated', { ...good, sig: good.sig.slice(0, 63) });
    await attack('signature upper-cased', { ...good, sig: good.sig.toUpperCase() });
    await attack('signature zeroed', { ...good, sig: '0'.repeat(64) });
    await attack('signature of another message', {
      ...good,
      sig: (sign(resultFor(b.command)) as { sig: string }).sig,
    });
    await attack('signature as array', { ...good, sig: [good.sig] });
    // Tampered after signing: every field that matters.
    const tampers: [string, Record<string, unknown>][] = [
      ['ok flipped', { ok: false, error: { code: 'x', message: 'y' } }],
      ['output changed', { output: { powerState: 'Off' } }],
      ['task token swapped', { taskToken: b.command.taskToken }],
      ['command id swapped', { commandId: b.command.id }],
      ['job swapped', { jobId: b.command.jobId }],
      ['target swapped', { target: messageGroupId(b.command.target) }],
      ['kind swapped', { kind: 'host.state' }],
      ['at moved', { at: new Date(Date.now() - 1000).toISOString() }],
      ['duration changed', { durationMs: 6 }],
      ['extra field added', { admin: true }],
    ];
    for (const [what, change] of tampers) await attack(`tampered: ${what}`, { ...good, ...change });
    // Misbound: validly signed (a confused or compromised agent), about another task, target, kind, job or command.
    for (let i = 0; i < 6; i++)
      await attack(
        `wrong token #${i}`,
        sign(resultFor(a.command, { taskToken: i === 0 ? b.command.taskToken : `tok-${i}` })),
      );
    await attack(
      "wrong token: B's token on progress",
      sign(progressFor(a.command, { taskToken: b.command.taskToken })),
    );
    for (const target of [
      'idrac:ATKB001',
      'idrac:OTHER01',
      'vcenter:vc-1',
      'ome:ome-1',
      'idrac:atka001',
      'idrac:',
    ])
      await attack(`wrong target ${target}`, sign(resultFor(a.command, { target })));
    await attack('no target on a result', sign(resultFor(a.command, { target: undefined })));
    for (const kind of CommandKind.options.filter((k) => k !== a.command.kind))
      await attack(`wrong kind ${kind}`, sign(resultFor(a.command, { kind })));
    for (const jobId of ['job-atk-b', 'job-other', '', 'JOB-ATK-A'])
      await attack(`wrong job "${jobId}"`, sign(resultFor(a.command, { jobId: jobId || undefined })));
    for (let i = 0; i < 8; i++)
      await attack(
        `never-dispatched command id #${i}`,
        sign(resultFor(a.command, { commandId: `ghost-${i}` })),
      );
    await attack(
      'a token, no command id (rejection)',
      sign({
        type: 'rejected',
        v: 1,
        taskToken: a.command.taskToken,
        jobId: a.command.jobId,
        at: new Date().toISOString(),
        reason: 'malformed',
        detail: 'no id',
      }),
    );
    // Time: stale and future.
    const day = 86_400_000;
    for (const [what, ms] of [
      ['2 days old', -2 * day],
      ['a week old', -7 * day],
      ['75 years old', -75 * 365 * day],
      ['1 hour ahead', 3_600_000],
      ['1 day ahead', day],
      ['75 years ahead', 75 * 365 * day],
    ] as const)
      await attack(
        `sent ${what}`,
        sign(resultFor(a.command, { at: new Date(Date.now() + ms).toISOString() })),
      );
    // Malformed bodies.
    for (const [what, body] of [
      ['not JSON', '{nope'],
      ['null', 'null'],
      ['array', '[]'],
      ['number', '42'],
      ['wrong version', { ...good, v: 2 }],
      ['unknown type', { ...good, type: 'admin' }],
      ['prototype pollution', JSON.parse(`{"__proto__":{"ok":true},"type":"result"}`) as unknown],
    ] as const)
      await attack(`malformed: ${what}`, body);
    // Heartbeats: the agent being online is a claim only its key can make.
    for (let i = 1; i <= 4; i++) {
      const attacker: Keyring = { activeKid: 'k1', keys: { k1: `attacker-hb-${i}-${'z'.repeat(32)}` } };
      await attack(`forged heartbeat #${i}`, sign(heartbeat(`relay-impostor-${i}`), attacker), async () =>
        (await store.getRecord('agent-heartbeat', `relay-impostor-${i}`)) ? 'heartbeat recorded' : undefined,
      );
    }
    // Replay: after the genuine answer, a contradicting (validly signed) one must not change the outcome.
    await rig.results({ Records: [{ messageId: 'g', body: JSON.stringify(sign(resultFor(a.command))) }] });
    await rig.engine.waitForExecution(a.executionId);
    waiting.splice(0, 1);
    const stays = async () =>
      (await store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, a.command.id))?.data.status ===
      'succeeded'
        ? undefined
        : 'first outcome overwritten';
    await attack(
      'replayed contradicting result',
      sign(resultFor(a.command, { ok: false, error: { code: 'x', message: 'y' }, output: undefined })),
      stays,
    );
    await attack(
      'replayed rejection after success',
      sign({
        type: 'rejected',
        v: 1,
        commandId: a.command.id,
        jobId: a.command.jobId,
        taskToken: a.command.taskToken,
        target: messageGroupId(a.command.target),
        at: new Date().toISOString(),
        reason: 'replayed',
        detail: 'again',
      }),
      stays,
    );
  } finally {
    await rig.stop();
    await dynalite.close();
  }
  return outcomes;
};
