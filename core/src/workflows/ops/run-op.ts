import { z } from 'zod';
import { StepRef } from '../../jobs/job-step';
import { StepStatus } from '../../jobs/job.schema';
import { NotFoundError, RackOpsError } from '../../util/errors';
import { BoundedId } from '../../util/ids';
import { applyNowBegin, applyNowDone, applyNowFailed } from './apply-now.op';
import { applyResolutionOp, blockers, pause } from './blockers.op';
import { beginHostUpdate } from './begin.op';
import { type BeginOp, type Decide, answerTask, beginWithToken, wakeWaiters } from './begin-waits';
import {
  beginFailoverTest,
  failoverTestCleanupPlan,
  failoverTestReport,
  finishFailoverTest,
  planFailoverTest,
  vmTestDone,
} from './failover-test.op';
import { failoverCommit, failoverPause, failoverRollbackPlan, finishFailover } from './failover-decide.op';
import {
  beginFailover,
  failoverMountPlan,
  failoverPlan,
  failoverReport,
  failoverShutdownCheck,
} from './failover.op';
import { cleanupPlan, finish } from './finish.op';
import { hostPlan } from './host-plan.op';
import { checkCancel, hostStopped } from './host-stop.op';
import { POWER_ON_FIRST, hostBegin, hostBeginReads, hostDone, hostDoneReads, hostFailed } from './hosts.op';
import type { OpsDeps } from './ops-deps';
import { preflight, preflightHost } from './preflight.op';
import { details, log, putStep } from './progress';
import { beginReplication, finishReplication, recordReplicaOp } from './replication.op';
import { applyRestoreResolution, beginScpRestore } from './scp-restore.op';
import { beginSingleCommand } from './single-command.op';

/** What the workflows send to JobOps: `{ op, jobId, state, ... }` (see asl.ts jobOpsTask). */
export const JobOpsRequest = z.looseObject({
  op: z.enum([
    'begin',
    'preflight-host',
    'preflight',
    'blockers',
    'pause',
    'apply-resolution',
    'host-plan',
    'host-begin',
    'host-done',
    'host-failed',
    'apply-now-begin',
    'apply-now-done',
    'apply-now-failed',
    'cleanup-plan',
    'finish',
    'log',
    'step',
    'details',
    'check-cancel',
    'host-stopped',
    'replica-record',
    'ft-plan',
    'ft-vm',
    'ft-report',
    'ft-cleanup-plan',
    'fo-shutdown',
    'fo-plan',
    'fo-mount-plan',
    'fo-report',
    'fo-pause',
    'fo-commit',
    'fo-rollback-plan',
  ]),
  jobId: BoundedId,
  state: z.unknown().optional(),
  taskToken: z.string().optional(),
  reason: z.string().optional(),
  kind: z.enum(['blockers', 'approval', 'operator']).optional(),
  message: z.string().max(4000).optional(),
  level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  step: StepRef.pick({ key: true, name: true })
    .extend({ status: StepStatus, message: z.string().optional() })
    .optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type JobOpsRequest = z.infer<typeof JobOpsRequest>;

const HOST_UPDATE_TYPES = new Set(['rolling_cluster_update', 'firmware_update']);

/** The begin ops a host's step may wait in, and how each looks (begin-waits.ts). */
const decideFor = (deps: OpsDeps): Record<BeginOp, Decide> => ({
  'host-begin': (job, state) => hostBegin(deps, job, state),
  'apply-now-begin': (job, state) => applyNowBegin(deps, job, state),
});
/** Ops after which a waiting begin may go: a host's window or in-service update ended, or a host passed. */
const WAKING = new Set<JobOpsRequest['op']>([
  'host-done',
  'host-failed',
  'host-stopped',
  'apply-now-done',
  'apply-now-failed',
]);

/** One JobOps call; then the begins waiting for what it changed look again. */
export async function runJobOp(
  deps: OpsDeps,
  req: JobOpsRequest,
  onLaterFailed?: (err: unknown) => void,
): Promise<unknown> {
  // Writes the op's answer need not wait for (deps.later): made beside it, awaited once it has gone (a
  // task-token op has answered by then), so a host starts without waiting for the card's details of the job.
  const later: Promise<unknown>[] = [];
  const opDeps: OpsDeps = { ...deps, later: (w) => later.push(w.catch((err) => onLaterFailed?.(err))) };
  try {
    const out = await runOne(opDeps, req);
    const passed =
      (req.op === 'host-begin' || req.op === 'apply-now-begin') &&
      !(out as { go?: boolean; wait?: boolean }).go &&
      !(out as { wait?: boolean }).wait;
    if (WAKING.has(req.op) || passed) await wakeWaiters(opDeps, req.jobId, decideFor(opDeps));
    return out;
  } finally {
    await Promise.all(later);
  }
}

/** One JobOps call. Ops are convergent: a re-run (retry, resumed execution) writes the same items again. */
async function runOne(deps: OpsDeps, req: JobOpsRequest): Promise<unknown> {
  // host-done's reads need no job record: one round trip before the host's window is recorded as ended. A read
  // that fails here is made again where it failed before (after the VMs' power-on detour, which needs none).
  // host-begin's first look reads the job's hosts and in-service updates beside the job record, likewise.
  const [job, doneReads, beginReads] = await Promise.all([
    deps.store.getJob(req.jobId),
    req.op === 'host-done' ? hostDoneReads(deps, req.jobId, req.state).catch(() => undefined) : undefined,
    req.op === 'host-begin' ? hostBeginReads(deps, req.jobId).catch(() => undefined) : undefined,
  ]);
  if (!job) throw new NotFoundError('job', req.jobId);
  const state = req.state;
  switch (req.op) {
    case 'begin':
      if (job.status !== 'running')
        throw new RackOpsError('job_not_running', `job ${job.id} is ${job.status}`);
      if (job.type === 'replication_sync') return beginReplication(deps, job);
      if (job.type === 'failover_test') return beginFailoverTest(deps, job);
      if (job.type === 'failover') return beginFailover(deps, job);
      if (job.type === 'scp_restore') return beginScpRestore(deps, job);
      return HOST_UPDATE_TYPES.has(job.type) ? beginHostUpdate(deps, job) : beginSingleCommand(deps, job);
    case 'preflight-host':
      return preflightHost(deps, job, state);
    case 'preflight':
      return preflight(deps, job, state);
    case 'blockers':
      return blockers(deps, job, state);
    case 'pause':
      return pause(deps, job, req);
    case 'apply-resolution':
      return job.type === 'scp_restore'
        ? applyRestoreResolution(deps, job, state)
        : applyResolutionOp(deps, job, state);
    case 'host-plan':
      return hostPlan(deps, job, state);
    case 'host-begin':
    case 'apply-now-begin': {
      // A task-token task answers through the token: now, or when woken (begin-waits.ts). Only the first look
      // uses the reads made beside the job record: a later one (woken) reads afresh.
      let first = beginReads;
      const decide: Decide =
        req.op === 'host-begin'
          ? (j, st) => {
              const reads = first;
              first = undefined;
              return hostBegin(deps, j, st, reads);
            }
          : decideFor(deps)[req.op];
      if (!req.taskToken) return decide(job, state);
      const hostId = (state as { host?: { hostId?: string } } | undefined)?.host?.hostId ?? '';
      return beginWithToken(deps, job, { op: req.op, hostId, token: req.taskToken, state }, decide);
    }
    case 'host-done': {
      if (!req.taskToken) return hostDone(deps, job, state, doneReads);
      // On a task token: the VMs host-begin powered off come back on first (a detour through the power-on Map,
      // which most hosts do not need), then the host is recorded.
      const s = state as { begin?: { v?: { powerOff?: unknown[] } }; vmsOn?: unknown };
      if ((s.begin?.v?.powerOff?.length ?? 0) > 0 && s.vmsOn === undefined) {
        await answerTask(deps, req.taskToken, { error: POWER_ON_FIRST, cause: 'VMs to power back on first' });
        return { ok: false };
      }
      const out = await hostDone(deps, job, state, doneReads);
      await answerTask(deps, req.taskToken, { output: out });
      return out;
    }
    case 'host-failed':
      return hostFailed(deps, job, state);
    case 'apply-now-done':
      return applyNowDone(deps, job, state);
    case 'apply-now-failed':
      return applyNowFailed(deps, job, state);
    case 'cleanup-plan':
      return cleanupPlan(deps, job, state);
    case 'finish':
      if (job.type === 'failover_test') return finishFailoverTest(deps, job, state);
      if (job.type === 'failover') return finishFailover(deps, job, state);
      return job.type === 'replication_sync' ? finishReplication(deps, job, state) : finish(deps, job, state);
    case 'ft-plan':
      return planFailoverTest(deps, job, state);
    case 'ft-vm':
      return vmTestDone(deps, job, state);
    case 'ft-report':
      return failoverTestReport(deps, job, state);
    case 'ft-cleanup-plan':
      return failoverTestCleanupPlan(deps, job, state);
    case 'fo-shutdown':
      return failoverShutdownCheck(deps, job, state);
    case 'fo-plan':
      return failoverPlan(deps, job, state);
    case 'fo-mount-plan':
      return failoverMountPlan(deps, job, state);
    case 'fo-report':
      return failoverReport(deps, job, state);
    case 'fo-pause':
      return failoverPause(deps, job, req);
    case 'fo-commit':
      return failoverCommit(deps, job, state);
    case 'fo-rollback-plan':
      return failoverRollbackPlan(deps, job, state);
    case 'replica-record':
      return recordReplicaOp(deps, job, state);
    case 'log':
      await log(deps, job.id, req.level ?? 'info', req.message ?? '');
      return { ok: true };
    case 'step':
      if (req.step) await putStep(deps, job.id, req.step);
      return { ok: true };
    case 'details':
      await details(deps, job.id, req.fields ?? {});
      return { ok: true };
    case 'check-cancel':
      return checkCancel(deps, job);
    case 'host-stopped':
      return hostStopped(deps, job, state);
  }
}
