import { isTerminal, type Job, SYSTEM } from '../jobs/job.schema';
import type { Clock } from '../ports/clock.port';
import type { JobStore } from '../ports/job-store.port';
import type { RecordReader } from '../ports/record-store.port';
import type { StepLogStore } from '../ports/step-log-store.port';
import { outOfServiceS } from '../planner/makespan';
import { agentStatus } from '../usecases/agent-status';
import { newId } from '../util/ids';
import { clusterHosts } from '../workflows/ops/inventory';
import type { HostUpdateParams } from '../workflows/params';
import { DEFAULT_HOST_TIMING, GUARD_MARGIN } from './fit';
import type { Slot } from './recurrence';
import type { BlockerPolicy, WindowRecord } from './window.schema';

export interface WindowRolloutDeps {
  store: JobStore & StepLogStore & RecordReader;
  clock: Clock;
  /** Claim and start a job's workflow (core/src/usecases/start-job.ts). */
  startJob: (jobId: string) => Promise<Job | undefined>;
  /**
   * The lab's time scale (local only): a window lasts its length × this, and the guard's default host time
   * and margin shrink alike, so a 4 h window on a lab at 1/60 is 4 real minutes. @default 1
   */
  timeScale?: number;
}

const ACTIVE: readonly Job['status'][] = ['pending', 'running', 'paused'];

/** A job still going on the cluster or host, if any (then the occurrence is skipped, not queued). */
export async function activeJobOn(store: JobStore, targetId: string): Promise<string | undefined> {
  for (const kind of ['cluster', 'host'] as const) {
    const page = await store.listJobsByTarget(kind, targetId, { limit: 50 });
    const busy = page.items.find((j) => ACTIVE.includes(j.status) && j.type !== 'inventory_sync');
    if (busy) return busy.id;
  }
  return undefined;
}

export async function anyAgentOnline(store: RecordReader, clock: Clock): Promise<boolean> {
  return (await agentStatus(store, clock)).some((a) => a.online);
}

/**
 * The longest a host of the cluster was out of service in its last completed rolling update, in seconds;
 * the documented default when none ran yet.
 */
export async function expectedHostSeconds(
  store: JobStore & StepLogStore,
  clusterId: string | undefined,
  timeScale = 1,
): Promise<number> {
  const fallback = outOfServiceS(DEFAULT_HOST_TIMING) * timeScale;
  if (!clusterId) return fallback;
  const page = await store.listJobsByTarget('cluster', clusterId, { limit: 50 });
  const last = page.items
    .filter((j) => j.type === 'rolling_cluster_update' && j.status === 'completed')
    .sort((a, b) => (a.completedAt ?? '').localeCompare(b.completedAt ?? ''))
    .at(-1);
  if (!last) return fallback;
  const seconds = (await store.listSteps(last.id))
    .filter((s) => /^host:[^:]+$/.test(s.key) && s.status === 'completed' && s.startedAt && s.completedAt)
    .map((s) => (Date.parse(s.completedAt as string) - Date.parse(s.startedAt as string)) / 1000);
  return seconds.length ? Math.max(...seconds) : fallback;
}

/** When an occurrence ends on a time-scaled lab (its length × the scale); the slot's own end at scale 1. */
export function scaledEnd(start: string, end: string, scale = 1): string {
  if (scale === 1) return end;
  return new Date(Date.parse(start) + (Date.parse(end) - Date.parse(start)) * scale).toISOString();
}

/** `pause` asks people (an interactive job); the other policies decide by themselves. */
function policyParams(policy: BlockerPolicy): Pick<HostUpdateParams, 'blockerPolicy' | 'interactive'> {
  if (policy === 'pause') return { blockerPolicy: 'skip_host', interactive: true };
  if (policy === 'fail') return { blockerPolicy: 'fail', interactive: false };
  // power_off_noncritical: no pre-approved power-off rule exists yet, so blocked hosts are skipped.
  return { blockerPolicy: 'skip_host', interactive: false };
}

/**
 * Start the window's rolling update: one job per cluster (and one per single host), each carrying the
 * window's policy and the occurrence's end, and recording the window that started it. `hosts` (what a
 * `partial` occurrence left) narrows every job to exactly those hosts; a target with none of them is left out.
 * Returns the job ids, in target order.
 */
export async function startWindowRollout(
  deps: WindowRolloutDeps,
  req: { window: WindowRecord; slot: Slot; deadline: string; runStart?: string; hosts?: readonly string[] },
): Promise<string[]> {
  const w = req.window;
  const scale = deps.timeScale ?? 1;
  const end = scaledEnd(req.runStart ?? req.slot.start, req.deadline, scale);
  const carried = req.hosts ? new Set(req.hosts) : undefined;
  const targets: { kind: 'cluster' | 'host'; id: string; only?: string[]; clusterId?: string }[] = [];
  for (const id of w.targets.clusters) {
    if (!carried) {
      targets.push({ kind: 'cluster', id, clusterId: id });
      continue;
    }
    const only = (await clusterHosts(deps.store, id)).map((h) => h.id).filter((h) => carried.has(h));
    if (only.length > 0) targets.push({ kind: 'cluster', id, only, clusterId: id });
  }
  for (const id of w.targets.hosts) if (!carried || carried.has(id)) targets.push({ kind: 'host', id });

  const ids: string[] = [];
  for (const t of targets) {
    const now = deps.clock.now();
    const params: Partial<HostUpdateParams> = {
      ...policyParams(w.blockerPolicy),
      continueOnFailure: w.continueOnFailure,
      ...(t.only ? { onlyHostIds: t.only } : {}),
      window: {
        windowId: w.windowId,
        start: req.slot.start,
        end,
        hostSeconds: await expectedHostSeconds(deps.store, t.clusterId, scale),
        ...(scale === 1 ? {} : { marginS: GUARD_MARGIN.minS * scale }),
      },
    };
    const job = await deps.store.createJob({
      id: newId(now.getTime()),
      type: t.kind === 'cluster' ? 'rolling_cluster_update' : 'firmware_update',
      target: { kind: t.kind, id: t.id },
      params,
      details: {},
      createdBy: SYSTEM,
      createdAt: now.toISOString(),
      scheduleAt: now.toISOString(),
      // The window's series approval is the four-eyes decision; approvalAtFireTime checked it just now.
      requiresApproval: false,
      windowId: w.windowId,
      ...(w.conversationId ? { conversationId: w.conversationId } : {}),
    });
    await deps.store.appendLog({
      jobId: job.id,
      level: 'info',
      message: `started by maintenance window ${w.windowId} (occurrence ${req.slot.localStart}, ends ${end})`,
    });
    await deps.startJob(job.id);
    ids.push(job.id);
  }
  return ids;
}

export const jobsDone = (jobs: readonly (Job | undefined)[]): boolean =>
  jobs.every((j) => !j || isTerminal(j.status));
