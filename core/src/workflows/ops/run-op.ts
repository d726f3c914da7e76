import { z } from 'zod';
import { StepRef } from '../../jobs/job-step';
import { StepStatus } from '../../jobs/job.schema';
import { NotFoundError, RackOpsError } from '../../util/errors';
import { BoundedId } from '../../util/ids';
import { applyNowBegin, applyNowDone, applyNowFailed } from './apply-now.op';
import { applyResolutionOp, blockers, pause } from './blockers.op';
import { beginHostUpdate } from './begin.op';
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
import { checkCancel, hostStopped } from './host-stop.op';
import { hostBegin, hostDone, hostFailed } from './hosts.op';
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

/** One JobOps call. Ops are convergent: a re-run (retry, resumed execution) writes the same items again. */
export async function runJobOp(deps: OpsDeps, req: JobOpsRequest): Promise<unknown> {
  const job = await deps.store.getJob(req.jobId);
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
    case 'host-begin':
      return hostBegin(deps, job, state);
    case 'host-done':
      return hostDone(deps, job, state);
    case 'host-failed':
      return hostFailed(deps, job, state);
    case 'apply-now-begin':
      return applyNowBegin(deps, job, state);
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
