import { IsoTime, type Job, SYSTEM } from '@rackops/core/jobs/job.schema';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Scheduler, ScheduleTarget } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { checkRpoBreach, isPastRpo } from '@rackops/core/replication/rpo-alert';
import { ProtectionGroupName } from '@rackops/core/replication/zfs-names';
import { startHealthReads } from '@rackops/core/usecases/health-reads';
import { ReplicationRunningError, replicateGroup } from '@rackops/core/usecases/replicate-group';
import { startJob } from '@rackops/core/usecases/start-job';
import { RackOpsError, ValidationError } from '@rackops/core/util/errors';
import { BoundedId, newId } from '@rackops/core/util/ids';
import { parseOrThrow, withValidationErrors } from '@rackops/core/util/zod-errors';
import { endOccurrence } from '@rackops/core/windows/window-end';
import { remindOccurrence } from '@rackops/core/windows/window-reminders';
import { type FiringDeps, fireWindow } from '@rackops/core/windows/window-firing';
import { activeJobOn, anyAgentOnline, startWindowRollout } from '@rackops/core/windows/window-rollout';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import type { Platform } from '../composition/platform';
import { lambdaEntry } from '../composition/lambda';
import { awsNotifications } from '../notifications/aws-notifier';
import { emitRpoMetric } from './rpo-metric';

/** A replication job starts now: it never needs a scheduler; one missing is a wiring mistake, said so. */
const noScheduler: Scheduler = {
  scheduleAt: async () => {
    throw new ValidationError('no scheduler is wired to the claim handler');
  },
  scheduleEvery: async () => {
    throw new ValidationError('no scheduler is wired to the claim handler');
  },
  cancel: async () => {},
};

/** What a schedule delivers (EventBridge Scheduler's target input, or the local scheduler's record). */
export const ClaimEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('job'), jobId: BoundedId }),
  z.object({
    kind: z.literal('window'),
    windowId: BoundedId,
    start: IsoTime.optional(),
    postponedTo: IsoTime.optional(),
  }),
  z.object({ kind: z.literal('window-end'), windowId: BoundedId, start: IsoTime }),
  z.object({
    kind: z.literal('window-reminder'),
    windowId: BoundedId,
    start: IsoTime,
    lead: z.enum(['24h', '1h']),
  }),
  z.object({
    kind: z.literal('inventory-sync'),
    source: z.enum(['ome', 'vcenter']),
    sourceId: BoundedId,
  }),
  z.object({ kind: z.literal('replication'), group: ProtectionGroupName }),
]) satisfies z.ZodType<ScheduleTarget>;

export type ClaimOutcome =
  | { outcome: 'started'; jobId: string; status: Job['status']; healthReads?: number }
  | { outcome: 'skipped'; jobId?: string; reason: string }
  | { outcome: 'window'; windowId: string; status?: string; jobId?: string; reason?: string };

export interface ClaimDeps {
  store: Store;
  orchestrator: Orchestrator;
  clock?: Clock;
  logger?: Logger;
  /** Re-arms a window's series after each firing; without it a `window` target is refused with a log line. */
  scheduler?: Scheduler;
  /** The lab's time scale (local only): windows last their length × this. @default 1 */
  windowTimeScale?: number;
  /** Told when a window's occurrence is skipped at fire time (the notification pipeline). */
  notifier?: Notifier;
  /**
   * With each vCenter's inventory sync, start a hardware health read of each of its hosts (env HEALTH_READS,
   * on unless `off`; the local stack's `healthReads`). @default false
   */
  healthReads?: boolean;
  /** Each protection-group tick's RPO state (AWS: the metric the RPO alarm watches). */
  onRpo?: (group: string, breached: boolean) => void;
}

/**
 * Runs when a schedule fires. Every check happens now, with current data (DESIGN §5): a job that is no
 * longer pending (cancelled, started by hand) or still awaiting approval is left alone with a log line.
 */
export function createClaimHandler(deps: ClaimDeps) {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger ?? pino({ level: 'silent' });
  const useCase = { store: deps.store, orchestrator: deps.orchestrator, clock };
  const scheduler = deps.scheduler;
  const firing: FiringDeps | undefined = scheduler && {
    store: deps.store,
    scheduler,
    now: () => clock.now(),
    activeJobOn: (target) => activeJobOn(deps.store, target),
    agentOnline: () => anyAgentOnline(deps.store, clock),
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    ...(deps.windowTimeScale ? { timeScale: deps.windowTimeScale } : {}),
    startRollout: (req) =>
      startWindowRollout(
        {
          store: deps.store,
          clock,
          startJob: (id) => startJob(useCase, id, SYSTEM),
          ...(deps.windowTimeScale ? { timeScale: deps.windowTimeScale } : {}),
        },
        req,
      ),
  };

  async function openWindow(windowId: string, start?: string, postponedTo?: string): Promise<ClaimOutcome> {
    if (!firing) {
      log.warn({ windowId }, 'maintenance window fired but no scheduler is wired');
      return { outcome: 'skipped', reason: 'no scheduler to re-arm the window with' };
    }
    const o = await fireWindow(firing, windowId, start, postponedTo);
    log.info({ windowId, occurrence: o }, 'maintenance window fired');
    return {
      outcome: 'window',
      windowId,
      ...(o ? { status: o.status } : { reason: 'no occurrence is due now, or the window is gone' }),
      ...(o?.jobId ? { jobId: o.jobId } : {}),
      ...(o?.reason ? { reason: o.reason } : {}),
    };
  }

  async function closeWindow(windowId: string, start: string): Promise<ClaimOutcome> {
    const stopped = await endOccurrence({ store: deps.store, now: () => clock.now() }, windowId, start);
    log.info({ windowId, start, stopped }, 'maintenance window occurrence ended');
    return {
      outcome: 'window',
      windowId,
      ...(stopped.length
        ? { status: 'ending', jobId: stopped[0] as string }
        : { reason: 'the occurrence is not running' }),
    };
  }

  async function claimJob(jobId: string): Promise<ClaimOutcome> {
    const job = await deps.store.getJob(jobId);
    if (!job) {
      log.warn({ jobId }, 'schedule fired for a job that does not exist');
      return { outcome: 'skipped', jobId, reason: 'no such job' };
    }
    const skip = async (reason: string): Promise<ClaimOutcome> => {
      log.info({ jobId, reason }, 'scheduled start skipped');
      await deps.store.appendLog({ jobId, level: 'info', message: `scheduled start skipped: ${reason}` });
      return { outcome: 'skipped', jobId, reason };
    };
    if (job.status !== 'pending') return skip(`the job is already ${job.status}`);
    if (job.requiresApproval && !job.approvedBy) return skip('the job still awaits approval');
    const started = await startJob(useCase, jobId, SYSTEM);
    if (!started) return skip('another claimer started it first, or it is not due yet');
    return { outcome: 'started', jobId, status: started.status };
  }

  async function inventorySync(source: 'ome' | 'vcenter', sourceId: string): Promise<ClaimOutcome> {
    const target = { kind: source, id: sourceId } as const;
    // One sync per source at a time: a slow sync is not stacked up by the next tick.
    const recent = await deps.store.listJobsByTarget(target.kind, target.id, { limit: 20 });
    const busy = recent.items.find(
      (j) => j.type === 'inventory_sync' && (j.status === 'pending' || j.status === 'running'),
    );
    if (busy)
      return { outcome: 'skipped', jobId: busy.id, reason: `sync ${busy.id} is still ${busy.status}` };
    const now = clock.now();
    const job = await deps.store.createJob({
      id: newId(now.getTime()),
      type: 'inventory_sync',
      target,
      params: { source },
      details: {},
      createdBy: SYSTEM,
      createdAt: now.toISOString(),
      scheduleAt: now.toISOString(),
      requiresApproval: false,
    });
    const started = await startJob(useCase, job.id, SYSTEM);
    if (!started) return { outcome: 'skipped', jobId: job.id, reason: 'could not claim the sync job' };
    const healthReads =
      deps.healthReads && source === 'vcenter' ? await startHealthReads(useCase, sourceId) : undefined;
    return {
      outcome: 'started',
      jobId: job.id,
      status: started.status,
      ...(healthReads !== undefined ? { healthReads } : {}),
    };
  }

  /**
   * A protection group's tick: the RPO is checked first (a breach is told even when no run can start), then
   * one `replication_sync` starts unless the group is paused, gone or still replicating (skipped, and why).
   */
  async function replicationTick(group: string): Promise<ClaimOutcome> {
    const read = await createProtectionGroupStore(deps.store).get(group);
    if (!read) return { outcome: 'skipped', reason: `protection group ${group} does not exist` };
    // Not approved yet (or rejected): it has no RPO to breach; the schedule should not exist, so say why not.
    if (read.value.approval !== 'approved')
      return {
        outcome: 'skipped',
        reason: `protection group ${group} is not approved (${read.value.approval})`,
      };
    const breached = deps.notifier
      ? await checkRpoBreach({ store: deps.store, notifier: deps.notifier, clock }, read.value)
      : isPastRpo(read.value, clock.now());
    deps.onRpo?.(group, breached);
    try {
      const { job } = await replicateGroup(
        {
          ...useCase,
          scheduler: deps.scheduler ?? noScheduler,
          notifier: deps.notifier ?? { notify: async () => {} },
          startJob: (id) => startJob(useCase, id, SYSTEM),
        },
        { group, actor: SYSTEM },
      );
      const fresh = await deps.store.getJob(job.id);
      return { outcome: 'started', jobId: job.id, status: fresh?.status ?? job.status };
    } catch (err) {
      if (
        err instanceof RackOpsError &&
        (err.code === 'replication_running' || err.code === 'group_paused' || err.code === 'failover_running')
      ) {
        log.info({ group, reason: err.message }, 'replication tick skipped');
        return {
          outcome: 'skipped',
          ...(err instanceof ReplicationRunningError ? { jobId: err.jobId } : {}),
          reason: err.message,
        };
      }
      throw err;
    }
  }

  return withValidationErrors('schedule target', async (event: unknown): Promise<ClaimOutcome> => {
    const target = parseOrThrow(ClaimEvent, event, 'schedule target');
    switch (target.kind) {
      case 'job':
        return claimJob(target.jobId);
      case 'inventory-sync':
        return inventorySync(target.source, target.sourceId);
      case 'window':
        return openWindow(target.windowId, target.start, target.postponedTo);
      case 'window-reminder': {
        const sent = await remindOccurrence(
          {
            store: deps.store,
            now: () => clock.now(),
            ...(deps.notifier ? { notifier: deps.notifier } : {}),
          },
          target.windowId,
          target.start,
          target.lead,
        );
        return {
          outcome: 'window',
          windowId: target.windowId,
          ...(sent ? { status: 'reminded' } : { reason: 'the occurrence was skipped, moved or has begun' }),
        };
      }
      case 'window-end':
        return closeWindow(target.windowId, target.start);
      case 'replication':
        return replicationTick(target.group);
    }
  });
}

/** The claim function from the platform: the scheduler it re-arms window series on is the platform's. */
export const claimFromPlatform = (p: Platform, aws: Pick<ClaimDeps, 'onRpo'> = {}) =>
  createClaimHandler({
    store: p.store,
    orchestrator: p.orchestrator,
    clock: p.clock,
    scheduler: p.scheduler,
    notifier: p.notifier,
    ...(p.windowTimeScale !== undefined ? { windowTimeScale: p.windowTimeScale } : {}),
    healthReads: p.settings.HEALTH_READS !== 'off',
    logger: p.logger.child({ fn: 'claim' }),
    ...aws,
  });

/**
 * AWS entry point: the EventBridge Scheduler target. A window skipped at fire time and an RPO breach are told
 * through job-ops' pipeline (the bot secret, webhook, SES); each replication tick writes the RPO metric.
 */
export default lambdaEntry((p) => claimFromPlatform(p, { onRpo: emitRpoMetric }), {
  notifications: awsNotifications,
});
