import { describe, expect, it } from 'vitest';
import type { Job } from '../src/jobs/job.schema';
import type { HardwareHealth } from '../src/relay/hardware-health.schema';
import type { AgentStatus } from '../src/usecases/agent-status';
import {
  type HealthInput,
  type HealthState,
  evaluateHealth,
  serverState,
} from '../src/usecases/health-report';
import { aJob } from './job-factory';

const NOW = new Date('2026-12-06T12:00:00Z');
const minAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

const agent = (id: string, online: boolean): AgentStatus => ({
  agentId: id,
  lastSeen: minAgo(online ? 0 : 10),
  online,
  secondsAgo: online ? 5 : 600,
});
const job = (over: Partial<Job>): Job => ({
  ...aJob({ createdAt: minAgo(60) }),
  status: 'pending',
  version: 1,
  updatedAt: minAgo(0),
  ...over,
});
const synced = (minutes: number, status: Job['status'] = 'completed') => ({
  id: 'SYNC1',
  status,
  completedAt: minAgo(minutes),
  updatedAt: minAgo(minutes),
  ...(status === 'failed' ? { error: 'vCenter refused the login' } : {}),
});
const server = (tag: string, health?: string) => ({ serviceTag: tag, model: 'PowerEdge R750', health });
/** A hardware read of a healthy server, five minutes ago. */
const read = (tag: string): HardwareHealth => ({
  hostId: tag,
  readAt: minAgo(5),
  parts: [{ part: 'system', health: 'OK' }],
  sel: [],
  lifecycleLog: [],
  warnings: [],
});

const healthy: HealthInput = {
  scope: 'fleet',
  agents: [agent('relay-1', true)],
  activeJobs: [],
  lastInventorySync: synced(5),
  servers: [server('AAA0001', 'OK'), server('AAA0002', 'OK')],
  hardware: ['AAA0001', 'AAA0002'].map((t) => ({ serviceTag: t, health: read(t) })),
};

describe('health evaluation', () => {
  const cases: {
    name: string;
    input: Partial<HealthInput>;
    state: HealthState;
    check: string;
    checkState: HealthState;
    item?: RegExp;
  }[] = [
    { name: 'all well', input: {}, state: 'ok', check: 'agents', checkState: 'ok' },
    {
      name: 'no agent ever',
      input: { agents: [] },
      state: 'critical',
      check: 'agents',
      checkState: 'critical',
    },
    {
      name: 'every agent offline',
      input: { agents: [agent('relay-1', false)] },
      state: 'critical',
      check: 'agents',
      checkState: 'critical',
      item: /relay-1: last heartbeat 600s ago/,
    },
    {
      name: 'one of two agents offline',
      input: { agents: [agent('relay-1', true), agent('relay-2', false)] },
      state: 'warning',
      check: 'agents',
      checkState: 'warning',
      item: /relay-2/,
    },
    {
      name: 'running job quiet for 45 min',
      input: { activeJobs: [job({ id: 'J-QUIET', status: 'running', updatedAt: minAgo(45) })] },
      state: 'warning',
      check: 'jobs',
      checkState: 'warning',
      item: /J-QUIET .*no progress for 45 min/,
    },
    {
      name: 'running job that wrote a minute ago',
      input: { activeJobs: [job({ status: 'running', updatedAt: minAgo(1) })] },
      state: 'ok',
      check: 'jobs',
      checkState: 'ok',
    },
    {
      name: 'pending job 20 min past its start',
      input: { activeJobs: [job({ id: 'J-LATE', scheduleAt: minAgo(20) })] },
      state: 'warning',
      check: 'jobs',
      checkState: 'warning',
      item: /J-LATE .*due 20 min ago/,
    },
    {
      name: 'pending job waiting for approval is not stuck',
      input: { activeJobs: [job({ scheduleAt: minAgo(300), requiresApproval: true })] },
      state: 'ok',
      check: 'jobs',
      checkState: 'ok',
    },
    {
      name: 'paused job is not stuck',
      input: { activeJobs: [job({ status: 'paused', updatedAt: minAgo(600) })] },
      state: 'ok',
      check: 'jobs',
      checkState: 'ok',
    },
    {
      name: 'never synced',
      input: { lastInventorySync: undefined },
      state: 'warning',
      check: 'inventory',
      checkState: 'warning',
    },
    {
      name: 'sync 3 h old',
      input: { lastInventorySync: synced(180) },
      state: 'warning',
      check: 'inventory',
      checkState: 'warning',
    },
    {
      name: 'last sync failed',
      input: { lastInventorySync: synced(5, 'failed') },
      state: 'warning',
      check: 'inventory',
      checkState: 'warning',
      item: /vCenter refused the login/,
    },
    {
      name: 'a critical server',
      input: {
        servers: [server('AAA0001', 'OK'), server('BAD0001', 'Critical'), server('WRN0001', 'Warning')],
      },
      state: 'critical',
      check: 'servers',
      checkState: 'critical',
      item: /^critical · BAD0001/,
    },
    {
      name: 'a server with no health reported',
      input: { servers: [server('AAA0001', 'OK'), server('NOH0001')] },
      state: 'unknown',
      check: 'servers',
      checkState: 'unknown',
      item: /NOH0001.*no health reported/,
    },
    {
      name: 'no servers at all',
      input: { servers: [] },
      state: 'unknown',
      check: 'servers',
      checkState: 'unknown',
    },
  ];

  it.each(cases)('$name → $state', ({ input, state, check, checkState, item }) => {
    const report = evaluateHealth({ ...healthy, ...input }, NOW);
    expect(report.state).toBe(state);
    const c = report.checks.find((x) => x.name === check);
    expect(c?.state).toBe(checkState);
    if (item) expect(c?.items[0]).toMatch(item);
    else expect(c?.items).toEqual([]);
  });

  it.each([
    {
      name: 'a future job with its schedule, inventory scheduled',
      names: ['job-J-FUT', 'inventory-sync-vcenter-vc-lab'],
      state: 'ok',
      items: [],
    },
    {
      name: 'a future job whose schedule is gone',
      names: ['inventory-sync-vcenter-vc-lab'],
      state: 'warning',
      items: [/^job J-FUT .*has no schedule: it will not start/],
    },
    {
      name: 'no inventory schedule',
      names: ['job-J-FUT'],
      state: 'warning',
      items: [/no inventory sync schedule/],
    },
  ] as const)('schedules: $name → $state', ({ names, state, items }) => {
    const future = job({ id: 'J-FUT', scheduleAt: new Date(NOW.getTime() + 3_600_000).toISOString() });
    // Waiting for approval: nothing is scheduled yet, and that is right.
    const unapproved = job({ id: 'J-APPR', scheduleAt: future.scheduleAt, requiresApproval: true });
    const report = evaluateHealth(
      {
        ...healthy,
        activeJobs: [future, unapproved],
        schedules: { names: [...names], inventoryExpected: true },
      },
      NOW,
    );
    const c = report.checks.find((x) => x.name === 'schedules');
    expect(c?.state).toBe(state);
    expect(c?.items).toHaveLength(items.length);
    for (const [i, re] of items.entries()) expect(c?.items[i]).toMatch(re);
  });

  it('lists checks and servers worst first, and counts servers by state', () => {
    const report = evaluateHealth(
      {
        ...healthy,
        lastInventorySync: synced(300),
        servers: [
          server('A1', 'OK'),
          server('W1', 'Degraded'),
          server('C2', 'Critical'),
          server('C1', 'Failed'),
        ],
        hardware: ['A1', 'W1', 'C2', 'C1'].map((t) => ({ serviceTag: t, health: read(t) })),
      },
      NOW,
    );
    expect(report.checks.map((c) => c.name)).toEqual(['servers', 'inventory', 'agents', 'jobs', 'hardware']);
    expect(report.checks[0]?.items.map((i) => i.split(' ')[2])).toEqual(['C1', 'C2', 'W1']);
    expect(report.serverCounts).toEqual({ critical: 2, warning: 1, unknown: 0, ok: 1 });
    expect(report.checks[0]?.detail).toBe('2 critical, 1 warning, 1 ok');
  });

  it('a server whose hardware was never read is unknown in the state, the counts and its row, whatever the inventory says', () => {
    const report = evaluateHealth(
      {
        ...healthy,
        hardware: [{ serviceTag: 'AAA0001', health: read('AAA0001') }, { serviceTag: 'AAA0002' }],
      },
      NOW,
    );
    expect(report.state).toBe('unknown');
    expect(report.serverCounts).toEqual({ critical: 0, warning: 0, unknown: 1, ok: 1 });
    const row = report.hosts.find((h) => h.serviceTag === 'AAA0002');
    expect(row?.state).toBe('unknown');
    expect(row?.problems).toEqual([
      'never read: its health is read by `inventory.health` (on `inventory sync` and the inventory schedule)',
    ]);
    // Without any hardware input at all, the same: no read is never ok.
    const { hardware: _, ...none } = healthy;
    const bare = evaluateHealth(none, NOW);
    expect(bare.state).toBe('unknown');
    expect(bare.hosts.map((h) => h.state)).toEqual(['unknown', 'unknown']);
  });

  it('leaves agents out of a cluster or host report', () => {
    const { agents: _, ...scoped } = healthy;
    expect(
      evaluateHealth({ ...scoped, scope: 'cluster lab-a' }, NOW).checks.map((c) => c.name),
    ).not.toContain('agents');
  });

  it.each([
    ['OK', 'ok'],
    ['Healthy', 'ok'],
    ['Warning', 'warning'],
    ['Degraded', 'warning'],
    ['Critical', 'critical'],
    ['Failed', 'critical'],
    ['', 'unknown'],
    [undefined, 'unknown'],
    ['Unknown', 'unknown'],
  ] as const)('reads server health %j as %s', (raw, state) => {
    expect(serverState(raw)).toBe(state);
  });
});
