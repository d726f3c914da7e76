import { type Cluster, INVENTORY_TYPES, type Host, Server } from '../inventory/inventory.schema';
import type { Job } from '../jobs/job.schema';
import type { Clock } from '../ports/clock.port';
import type { JobStore } from '../ports/job-store.port';
import type { RecordReader } from '../ports/record-store.port';
import type { Scheduler } from '../ports/scheduler.port';
import type { QueueStats } from '../ports/queue-stats.port';
import { type AgentStatus, agentStatus } from './agent-status';
import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from './health-thresholds';
import { HardwareHealth } from '../relay/hardware-health.schema';
import { HARDWARE_HEALTH_TYPE, hardwareCheck, loadHardwareHealth } from './hardware-health';
import { type HostHealthRow, hostHealthRows, joinHostInputs } from './health-hosts';
import { type QueueReading, queuesCheck } from './queue-health';
import { scheduleName } from './deps';
import type { HealthScope } from './health-scope';

export type HealthState = 'critical' | 'warning' | 'ok' | 'unknown';

/** Worst first: the order checks and servers are listed in, and how states combine. */
export const HEALTH_ORDER: readonly HealthState[] = ['critical', 'warning', 'unknown', 'ok'];
const worst = (states: readonly HealthState[]): HealthState =>
  HEALTH_ORDER.find((s) => states.includes(s)) ?? 'ok';

export interface HealthCheck {
  name: 'agents' | 'queues' | 'jobs' | 'schedules' | 'inventory' | 'servers' | 'hardware';
  state: HealthState;
  detail: string;
  /** One line per thing at fault (a stuck job, an unhealthy server), worst first. */
  items: string[];
}

export interface HealthReport {
  scope: string;
  state: HealthState;
  checks: HealthCheck[];
  /** Servers by the state of their rows (inventory and hardware rating), for the summary line. */
  serverCounts: Record<HealthState, number>;
  /** Each server, worst first: its rollups, iDRAC, certificate and recent log entries (the health card). */
  hosts: HostHealthRow[];
}

export { DEFAULT_HEALTH_THRESHOLDS, HealthThresholds } from './health-thresholds';
export { type HealthScope, healthScope } from './health-scope';

export interface ServerHealthInput {
  serviceTag: string;
  model: string;
  /** As the source reports it (Redfish `Status.HealthRollup`, OME's health): `OK`, `Warning`, `Critical`… */
  health?: string | undefined;
  hostName?: string | undefined;
}

/** What the Store already holds, read once; `evaluateHealth` turns it into a report without I/O. */
export interface HealthInput {
  scope: string;
  /** Agents are shared by every scope: listed for the fleet only. */
  agents?: AgentStatus[];
  /** Jobs not finished (pending, running, paused). */
  activeJobs: Job[];
  /** The newest inventory sync that finished, if any. */
  lastInventorySync?: Pick<Job, 'id' | 'status' | 'completedAt' | 'updatedAt' | 'error'>;
  servers: ServerHealthInput[];
  /** Names of the schedules held now (when the Scheduler can list them): `job-…`, `inventory-sync-…`. */
  schedules?: { names: string[]; inventoryExpected: boolean };
  /** The relay queues' depths (fleet only: the queues are shared), when a queue-stats port is wired. */
  queues?: QueueReading;
  /** Each server and its last `inventory.health` read, if any (one never read is rated unknown). */
  hardware?: { serviceTag: string; hostName?: string | undefined; health?: HardwareHealth }[];
}

/** Redfish and OME spell health differently (`OK`, `Ok`, `Healthy`, `Warning`, `Critical`, `Degraded`). */
export function serverState(health: string | undefined): HealthState {
  const h = (health ?? '').trim().toLowerCase();
  if (!h) return 'unknown';
  if (/crit|fail|error|fault/.test(h)) return 'critical';
  if (/warn|degrad/.test(h)) return 'warning';
  if (/^(ok|healthy|normal|good)$/.test(h)) return 'ok';
  return 'unknown';
}

const minutesBetween = (from: string, now: Date): number =>
  Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 60_000));

const ago = (minutes: number): string =>
  minutes < 120
    ? `${minutes} min ago`
    : minutes < 2880
      ? `${Math.floor(minutes / 60)} h ago`
      : `${Math.floor(minutes / 1440)} d ago`;

function agentsCheck(agents: AgentStatus[]): HealthCheck {
  const offline = agents.filter((a) => !a.online);
  const items = offline.map((a) => `agent ${a.agentId}: last heartbeat ${a.secondsAgo}s ago`);
  if (!agents.length)
    return { name: 'agents', state: 'critical', detail: 'no relay agent has reported in', items };
  if (offline.length === agents.length)
    return { name: 'agents', state: 'critical', detail: `all ${agents.length} relay agents offline`, items };
  return {
    name: 'agents',
    state: offline.length ? 'warning' : 'ok',
    detail: `${agents.length - offline.length} of ${agents.length} relay agents online`,
    items,
  };
}

function jobsCheck(jobs: Job[], now: Date, t: HealthThresholds): HealthCheck {
  const items: string[] = [];
  for (const j of jobs) {
    if (j.status === 'running') {
      const quiet = minutesBetween(j.updatedAt, now);
      if (quiet >= t.runningQuietMinutes)
        items.push(`job ${j.id} (${j.type}) running, no progress for ${quiet} min`);
    } else if (j.status === 'pending' && !(j.requiresApproval && !j.approvedBy)) {
      const late = minutesBetween(j.scheduleAt, now);
      if (late >= t.overdueMinutes) items.push(`job ${j.id} (${j.type}) due ${late} min ago, not started`);
    }
  }
  return {
    name: 'jobs',
    state: items.length ? 'warning' : 'ok',
    detail: items.length
      ? `${items.length} of ${jobs.length} active jobs stuck`
      : `${jobs.length} active, none stuck`,
    items,
  };
}

/** A future job without its `job-ID` schedule never starts; a fleet without inventory schedules only syncs on demand. */
function schedulesCheck(jobs: Job[], held: NonNullable<HealthInput['schedules']>, now: Date): HealthCheck {
  const names = new Set(held.names);
  const items = jobs
    .filter(
      (j) =>
        j.status === 'pending' &&
        !(j.requiresApproval && !j.approvedBy) &&
        Date.parse(j.scheduleAt) > now.getTime() &&
        !names.has(scheduleName(j.id)),
    )
    .map((j) => `job ${j.id} (${j.type}) due ${j.scheduleAt} has no schedule: it will not start`);
  const inventory = held.names.filter((n) => n.startsWith(INVENTORY_SCHEDULE_PREFIX)).length;
  const noInventory = held.inventoryExpected && inventory === 0;
  if (noInventory) items.push('no inventory sync schedule: the inventory refreshes only on `inventory sync`');
  const jobSchedules = held.names.filter((n) => n.startsWith('job-')).length;
  return {
    name: 'schedules',
    state: items.length ? 'warning' : 'ok',
    detail: `${jobSchedules} job, ${inventory} inventory sync schedules${items.length ? `; ${items.length} missing` : ''}`,
    items,
  };
}

function inventoryCheck(last: HealthInput['lastInventorySync'], now: Date, t: HealthThresholds): HealthCheck {
  if (!last)
    return { name: 'inventory', state: 'warning', detail: 'never synced: run `inventory sync`', items: [] };
  const minutes = minutesBetween(last.completedAt ?? last.updatedAt, now);
  const failed = last.status !== 'completed';
  const stale = minutes >= t.inventoryStaleMinutes;
  return {
    name: 'inventory',
    state: failed || stale ? 'warning' : 'ok',
    detail: `last sync ${ago(minutes)}, ${last.status}${stale ? ' (stale)' : ''}`,
    items: failed && last.error ? [`job ${last.id}: ${last.error}`] : [],
  };
}

function serversCheck(servers: ServerHealthInput[]): {
  check: HealthCheck;
  counts: Record<HealthState, number>;
} {
  const counts: Record<HealthState, number> = { critical: 0, warning: 0, unknown: 0, ok: 0 };
  const rated = servers.map((s) => ({ s, state: serverState(s.health) }));
  for (const r of rated) counts[r.state]++;
  const items = rated
    .filter((r) => r.state !== 'ok')
    .sort(
      (a, b) =>
        HEALTH_ORDER.indexOf(a.state) - HEALTH_ORDER.indexOf(b.state) ||
        a.s.serviceTag.localeCompare(b.s.serviceTag),
    )
    .map(
      (r) =>
        `${r.state} · ${r.s.serviceTag} ${r.s.model}${r.s.hostName ? ` (${r.s.hostName})` : ''}: ${r.s.health ?? 'no health reported'}`,
    );
  const state = servers.length ? worst(rated.map((r) => r.state)) : 'unknown';
  const detail = servers.length
    ? HEALTH_ORDER.filter((s) => counts[s])
        .map((s) => `${counts[s]} ${s}`)
        .join(', ')
    : 'no servers in the inventory';
  return { check: { name: 'servers', state, detail, items }, counts };
}

/** The report for what was read: each check's state, and the worst of them overall. Pure. */
export function evaluateHealth(
  input: HealthInput,
  now: Date,
  thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS,
): HealthReport {
  const servers = serversCheck(input.servers);
  const checks = [
    ...(input.agents ? [agentsCheck(input.agents)] : []),
    ...(input.queues ? [queuesCheck(input.queues, thresholds)] : []),
    jobsCheck(input.activeJobs, now, thresholds),
    ...(input.schedules ? [schedulesCheck(input.activeJobs, input.schedules, now)] : []),
    inventoryCheck(input.lastInventorySync, now, thresholds),
    servers.check,
    ...(input.hardware ? [hardwareCheck(input.hardware, now, thresholds)] : []),
  ];
  const sorted = [...checks].sort((a, b) => HEALTH_ORDER.indexOf(a.state) - HEALTH_ORDER.indexOf(b.state));
  const hosts = hostHealthRows(joinHostInputs(input.servers, input.hardware), now, thresholds);
  // The counts are the rows' states: the card's counts, its rows and its header never disagree.
  const serverCounts: Record<HealthState, number> = { critical: 0, warning: 0, unknown: 0, ok: 0 };
  for (const h of hosts) serverCounts[h.state]++;
  return {
    scope: input.scope,
    state: worst([...checks.map((c) => c.state), ...hosts.map((h) => h.state)]),
    checks: sorted,
    serverCounts,
    hosts,
  };
}

/** See inventoryScheduleFor (inventory/sync-job.ts). */
const INVENTORY_SCHEDULE_PREFIX = 'inventory-sync-';
const RECENT_JOBS = 200;
const PAGE = 500;

async function allLive<T>(
  list: (cursor?: string) => Promise<{ items: { data: T; gone?: boolean }[]; cursor?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    out.push(...page.items.filter((r) => !r.gone).map((r) => r.data));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Read what the Store holds for the scope (agents, jobs, the last sync, servers) and evaluate it. */
export async function healthReport(
  store: JobStore & RecordReader,
  clock: Clock,
  scope: HealthScope,
  opts: { scheduler?: Scheduler; queues?: QueueStats; thresholds?: HealthThresholds } = {},
): Promise<HealthReport> {
  const recent = (await store.listRecentJobs({ limit: RECENT_JOBS })).items;
  const lastSync = recent
    .filter((j) => j.type === 'inventory_sync' && (j.status === 'completed' || j.status === 'failed'))
    .sort((a, b) => (b.completedAt ?? b.updatedAt).localeCompare(a.completedAt ?? a.updatedAt))[0];
  let hosts: Host[];
  if (scope.kind === 'host') hosts = [scope.host];
  else if (scope.kind === 'cluster')
    hosts = await allLive<Host>((cursor) =>
      store.listRecordsByParent<Host>(INVENTORY_TYPES.host, scope.cluster.id, {
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      }),
    );
  else hosts = [];
  const hostIds = new Set(hosts.flatMap((h) => [h.id, h.serviceTag].filter((x): x is string => !!x)));
  const hostByTag = new Map(hosts.map((h) => [(h.serviceTag ?? h.id).toUpperCase(), h.name]));
  let servers: ServerHealthInput[];
  let hardware: HealthInput['hardware'];
  if (scope.kind === 'fleet') {
    const all = await allLive<unknown>((cursor) =>
      store.listRecordsByType(INVENTORY_TYPES.server, { limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );
    // Host names for the card's rows (a server outside vCenter has none).
    const named = await allLive<Host>((cursor) =>
      store.listRecordsByType<Host>(INVENTORY_TYPES.host, { limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );
    const nameOf = new Map(
      named.flatMap((h) => (h.serviceTag ? [[h.serviceTag.toUpperCase(), h.name]] : [])),
    );
    servers = all.flatMap((d) => {
      const s = Server.safeParse(d);
      return s.success
        ? [
            {
              serviceTag: s.data.serviceTag,
              model: s.data.model,
              health: s.data.health,
              hostName: nameOf.get(s.data.serviceTag.toUpperCase()),
            },
          ]
        : [];
    });
    // The fleet's hardware: every server, read or not (one never read is unknown, as in its row and counts).
    const reads = await allLive<unknown>((cursor) =>
      store.listRecordsByType(HARDWARE_HEALTH_TYPE, { limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );
    const byTag = new Map<string, NonNullable<HealthInput['hardware']>[number]>(
      servers.map((s) => {
        const tag = s.serviceTag.toUpperCase();
        return [tag, { serviceTag: tag, hostName: s.hostName }];
      }),
    );
    for (const d of reads) {
      const h = HardwareHealth.safeParse(d);
      if (!h.success) continue;
      const tag = h.data.hostId.toUpperCase();
      byTag.set(tag, { serviceTag: tag, hostName: nameOf.get(tag), health: h.data });
    }
    if (byTag.size) hardware = [...byTag.values()];
  } else {
    const tags = [...hostByTag.keys()];
    const recs = await Promise.all(tags.map((t) => store.getRecord(INVENTORY_TYPES.server, t)));
    servers = recs.flatMap((rec, i) => {
      const s = rec && !rec.gone ? Server.safeParse(rec.data) : undefined;
      const tag = tags[i] as string;
      return s?.success
        ? [
            {
              serviceTag: s.data.serviceTag,
              model: s.data.model,
              health: s.data.health,
              hostName: hostByTag.get(tag),
            },
          ]
        : [{ serviceTag: tag, model: 'no Dell server in the inventory', hostName: hostByTag.get(tag) }];
    });
    const reads = await loadHardwareHealth(store, tags);
    hardware = tags.map((tag) => {
      const health = reads.get(tag);
      return { serviceTag: tag, hostName: hostByTag.get(tag), ...(health ? { health } : {}) };
    });
  }
  // By status, not among the recent jobs: a job stuck for days is exactly the one that fell out of those.
  const active = (
    await Promise.all(
      (['running', 'pending', 'paused'] as const).map(
        async (s) => (await store.listJobsByStatus(s, { limit: PAGE })).items,
      ),
    )
  ).flat();
  const inScope =
    scope.kind === 'fleet'
      ? active
      : active.filter((j) =>
          scope.kind === 'cluster'
            ? j.target.kind === 'cluster' && j.target.id === scope.cluster.id
            : j.target.kind === 'host' && hostIds.has(j.target.id),
        );
  const label =
    scope.kind === 'fleet'
      ? 'fleet'
      : scope.kind === 'cluster'
        ? `cluster ${scope.cluster.name}`
        : `host ${scope.host.name}`;
  return evaluateHealth(
    {
      scope: label,
      ...(scope.kind === 'fleet' ? { agents: await agentStatus(store, clock) } : {}),
      ...(scope.kind === 'fleet' && opts.queues ? { queues: await readQueues(opts.queues) } : {}),
      ...(hardware ? { hardware } : {}),
      activeJobs: inScope,
      ...(lastSync ? { lastInventorySync: lastSync } : {}),
      servers,
      ...(opts.scheduler?.names
        ? {
            schedules: {
              names: [
                ...(await opts.scheduler.names('job-')),
                ...(scope.kind === 'fleet' ? await opts.scheduler.names(INVENTORY_SCHEDULE_PREFIX) : []),
              ],
              inventoryExpected: scope.kind === 'fleet',
            },
          }
        : {}),
    },
    clock.now(),
    opts.thresholds,
  );
}

/** A queue read that fails is reported as such in the health card, not as an error of the whole command. */
async function readQueues(stats: QueueStats): Promise<QueueReading> {
  try {
    return { queues: await stats.read() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
