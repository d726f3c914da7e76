import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { AGENT_HEARTBEAT_TYPE } from '@rackops/core/usecases/agent-status';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyText } from '../src/testing/harness';
import { aJob } from '../../core/test/job-factory';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const OLGA = { kind: 'user', id: 'aad-oper', name: 'Olga Operator' } as const;

const text = (replies: Partial<Activity>[]): string => replies.map(replyText).join('\n');
const server = (tag: string, health: string) => ({
  type: INVENTORY_TYPES.server,
  id: tag,
  data: { serviceTag: tag, model: 'PowerEdge R750', idracId: tag, health, source: 'idrac' as const },
});

describe('health: the fleet, a cluster or a host, from chat', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
    // Seeded: lab-a hosts LABA001..4 (server LABA001 OK), prod-a hosts PROD001..4. Add a critical and a warning server.
    await f.store.putRecord(server('LABA002', 'Critical'));
    await f.store.putRecord(server('PROD001', 'OK'));
    await f.store.putRecord(server('PROD002', 'Warning'));
    await f.store.putRecord({
      type: AGENT_HEARTBEAT_TYPE,
      id: 'relay-1',
      data: { at: new Date().toISOString() },
    });
    await f.store.putRecord({
      type: AGENT_HEARTBEAT_TYPE,
      id: 'relay-2',
      data: { at: new Date(Date.now() - 3_600_000).toISOString() },
    });
    // A job due 20 minutes ago that nothing claimed.
    const due = new Date(Date.now() - 20 * 60_000).toISOString();
    await f.store.createJob(
      aJob({
        id: 'JOB-OVERDUE',
        target: { kind: 'cluster', id: 'domain-c1' },
        createdBy: OLGA,
        createdAt: due,
      }),
    );
    // A job for tomorrow whose schedule was lost (a deleted schedule), and one whose schedule is there.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    for (const id of ['JOB-UNSCHEDULED', 'JOB-SCHEDULED'])
      await f.store.createJob(
        aJob({
          id,
          type: 'firmware_update',
          target: { kind: 'host', id: 'PROD003' },
          createdBy: OLGA,
          scheduleAt: tomorrow,
        }),
      );
    await f.scheduler.scheduleAt({
      name: 'job-JOB-SCHEDULED',
      at: tomorrow,
      target: { kind: 'job', jobId: 'JOB-SCHEDULED' },
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('the fleet card: counts, worst check first, the critical server named, an offline agent, the stuck job, no sync yet', async () => {
    const t = text(await f.harness.say(USERS.viewer, 'health'));
    const lines = t.split('\n');
    expect(lines[0]).toBe('**Health** — fleet: 🔴 critical');
    // Servers by state, worst first, then the checks worst first.
    expect(lines.slice(1, 5)).toEqual([
      '🔴 **1** critical',
      '🟠 **1** warning',
      '⚪ **2** unknown',
      '🟢 **0** ok',
    ]);
    expect(lines[5]).toBe('- 🔴 **servers** — 1 critical, 1 warning, 2 ok');
    // The inventory says OK, but no server's hardware was ever read: unknown, and how it gets read.
    expect(t).toContain('- ⚪ **hardware** — 4 unknown');
    expect(t).toContain(
      '  - unknown · LABA001 (esx-lab-a-1): never read: its health is read by `inventory.health` (on `inventory sync` and the inventory schedule)',
    );
    expect(lines[6]).toBe('  - critical · LABA002 PowerEdge R750 (esx-lab-a-2): Critical');
    expect(lines[7]).toBe('  - warning · PROD002 PowerEdge R750 (esx-prod-a-2): Warning');
    expect(t).toContain('- 🟠 **agents** — 1 of 2 relay agents online');
    expect(t).toMatch(/ {2}- agent relay-2: last heartbeat 3\d{3}s ago/);
    expect(t).toMatch(
      /- 🟠 \*\*jobs\*\* — 1 of 3 active jobs stuck\n {2}- job JOB-OVERDUE \(rolling_cluster_update\) due 2\d min ago/,
    );
    expect(t).toContain('- 🟠 **inventory** — never synced: run `inventory sync`');
    expect(t).toContain('- 🟠 **schedules** — 1 job, 0 inventory sync schedules; 2 missing');
    expect(t).toMatch(
      / {2}- job JOB-UNSCHEDULED \(firmware_update\) due \S+ has no schedule: it will not start/,
    );
    expect(t).not.toMatch(/JOB-SCHEDULED.*no schedule/);
    expect(t).toContain('  - no inventory sync schedule: the inventory refreshes only on `inventory sync`');
  });

  it('a host with a lost schedule names that job; its cluster does not ask for inventory schedules', async () => {
    const t = text(await f.harness.say(USERS.viewer, 'health host PROD003'));
    expect(t).toContain('- 🟠 **schedules** — 1 job, 0 inventory sync schedules; 1 missing');
    expect(t).toContain('JOB-UNSCHEDULED');
    expect(t).not.toContain('no inventory sync schedule');
  });

  it('a cluster by name: its hosts’ servers with host names, its jobs, no agents', async () => {
    for (const cmd of ['health lab-a', 'health cluster lab-a']) {
      const t = text(await f.harness.say(USERS.viewer, cmd));
      expect(t.split('\n')[0]).toBe('**Health** — cluster lab-a: 🔴 critical');
      expect(t).toContain('  - critical · LABA002 PowerEdge R750 (esx-lab-a-2): Critical');
      expect(t).toContain(
        '  - unknown · LABA003 no Dell server in the inventory (esx-lab-a-3): no health reported',
      );
      expect(t).toContain('JOB-OVERDUE');
      expect(t).not.toContain('**agents**');
      expect(t).not.toContain('PROD002');
    }
    const prod = text(await f.harness.say(USERS.viewer, 'health cluster prod-a'));
    expect(prod).toContain('- 🟢 **jobs** — 0 active, none stuck');
  });

  it('a host by service tag or name', async () => {
    for (const cmd of ['health PROD001', 'health host esx-prod-a-1']) {
      const t = text(await f.harness.say(USERS.viewer, cmd));
      expect(t.split('\n')[0]).toBe('**Health** — host esx-prod-a-1: 🟠 warning');
      expect(t).toContain('- 🟢 **servers** — 1 ok');
    }
  });

  it('an unknown target says what a target is; a typo gets the closest command', async () => {
    expect(text(await f.harness.say(USERS.viewer, 'health nosuch'))).toBe(
      '⚠️ cluster or host nosuch is not in the inventory (a cluster name, a host name or service tag; if it is new, run `inventory sync`)',
    );
    expect(text(await f.harness.say(USERS.viewer, 'health cluster nosuch'))).toContain(
      'known: lab-a, prod-a',
    );
    expect(text(await f.harness.say(USERS.viewer, 'helth'))).toContain('Did you mean `health');
    expect(text(await f.harness.say(USERS.viewer, 'help health'))).toContain('Role needed: **viewer**');
  });
});
