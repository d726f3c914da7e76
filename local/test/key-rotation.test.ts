import { readFileSync } from 'node:fs';
import type { Keyring } from '@rackops/core/relay/keyring';
import { RELAY_COMMAND_TYPE, type RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import { SECURITY_EVENT_TYPE } from '@rackops/lambdas/handlers/security-event';
import { afterAll, describe, expect, it } from 'vitest';
import { type ScenarioDriver, startScenario } from '../src/scenarios/driver';
import { isDone, startUpdatePastBlockers } from '../src/scenarios/lab-facts';

const NEW_KEY = 'the-rotated-relay-signing-key-0123456789abcdef';

describe('relay key rotation', () => {
  let d: ScenarioDriver | undefined;
  afterAll(async () => {
    await d?.close();
  });

  it('rotates both directions while a rolling update runs (add, switch agent, switch cloud, drop old): nothing refused', {
    timeout: 900_000,
  }, async () => {
    d = await startScenario();
    const { stack } = d;
    const agent = stack.agent;
    if (!agent) throw new Error('the scenario stack runs no agent');
    const oldKey = readFileSync(stack.config.relayKeyFile, 'utf8').trim();
    const commands = async () =>
      (await stack.store.listRecordsByType<RelayCommandRecord>(RELAY_COMMAND_TYPE, { limit: 1000 })).items;
    const waitForMoreCommands = async (n: number) => {
      const target = (await commands()).length + n;
      const deadline = Date.now() + 300_000;
      while ((await commands()).length < target) {
        if (Date.now() > deadline) throw new Error(`fewer than ${n} new commands in 5 minutes`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const job = async () =>
      (await stack.store.listRecentJobs({ limit: 5 })).items.find((j) => j.type === 'rolling_cluster_update');

    await startUpdatePastBlockers(d, 'update cluster lab-b');
    const counts: number[] = [];
    // 1. Both sides gain the new key; the old one still signs.
    await waitForMoreCommands(3);
    const both = (activeKid: string): Keyring => ({ activeKid, keys: { default: oldKey, k2: NEW_KEY } });
    stack.setRelayKeys(both('default'));
    agent.setKeys(both('default'));
    counts.push((await commands()).length);
    // 2. The agent signs with the new key (the cloud accepts both).
    await waitForMoreCommands(3);
    agent.setKeys(both('k2'));
    counts.push((await commands()).length);
    // 3. The cloud signs with the new key (the agent accepts both; queued old-key commands stay valid).
    await waitForMoreCommands(3);
    stack.setRelayKeys(both('k2'));
    const switchedAt = new Date().toISOString();
    counts.push((await commands()).length);
    // 4. Once every command issued before the switch has ended, the old key goes on both sides.
    const FINAL = new Set(['succeeded', 'failed', 'rejected']);
    for (;;) {
      const pending = (await commands()).filter(
        (c) => (c.data.sentAt ?? '') < switchedAt && !FINAL.has(c.data.status),
      );
      if (pending.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const onlyNew: Keyring = { activeKid: 'k2', keys: { k2: NEW_KEY } };
    agent.setKeys(onlyNew);
    stack.setRelayKeys(onlyNew);
    const before4 = await job();
    expect(before4 && isDone(before4)).toBe(false);
    await waitForMoreCommands(3);
    counts.push((await commands()).length);

    const done = await d.waitForJob('rolling_cluster_update', isDone, 900_000);
    expect(done.status).toBe('completed');
    // Commands went out between every step: the rotation happened during the rollout.
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    const all = await commands();
    expect(all.filter((c) => c.data.status === 'rejected')).toEqual([]);
    expect((await stack.store.listRecordsByType(SECURITY_EVENT_TYPE, { limit: 100 })).items).toEqual([]);
  });
});
