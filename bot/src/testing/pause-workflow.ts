import type { Blocker } from '@rackops/core/inventory/inventory.schema';
import { SYSTEM } from '@rackops/core/jobs/job.schema';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Store } from '@rackops/core/ports/store.port';

/** An in-process Lambda as the local engine calls it. */
export type EngineFunction = (payload: unknown) => Promise<unknown>;

/**
 * A minimal workflow with the pause/resume and cancel contracts of the real ones (DESIGN §5, the briefing's
 * contracts), so bot tests run the real local engine without the lab: pause for blockers through a task token,
 * continue in place on resume, route a JobCancelled failure to cleanup, finish the job.
 */
export const PAUSE_WORKFLOW = {
  StartAt: 'Pause',
  States: {
    Pause: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'testops',
        Payload: { op: 'pause', 'jobId.$': '$.jobId', 'taskToken.$': '$$.Task.Token' },
      },
      ResultPath: '$.resume',
      TimeoutSeconds: 600,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Cleanup' }],
      Next: 'AfterPause',
    },
    // A failover's *Roll back* pauses once more, for the second confirmation (failover.schema FAILOVER_PAUSES).
    AfterPause: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.resume.decision', IsPresent: true },
            { Variable: '$.resume.decision', StringEquals: 'rollback' },
          ],
          Next: 'Pause',
        },
      ],
      Default: 'Finish',
    },
    Finish: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: 'testops',
        Payload: { op: 'finish', 'jobId.$': '$.jobId', 'resume.$': '$.resume' },
      },
      End: true,
    },
    Cleanup: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'testops', Payload: { op: 'cleanup', 'jobId.$': '$.jobId' } },
      End: true,
    },
  },
};

export const WORKFLOW_NAMES = [
  'rolling-cluster-update',
  'firmware-update',
  'power-operation',
  'virtual-media',
  'scp-export',
  'inventory-sync',
  'replication-sync',
  'failover-test',
  'failover',
] as const;

/** What the workflow's bookkeeping does, per the JobOps contract. `blockers` are what the "scan" finds per host. */
export function testOps(
  store: Store,
  notifier: () => Notifier,
  orchestrator: () => Orchestrator,
  blockers: () => Record<string, Blocker[]>,
): Record<string, EngineFunction> {
  return {
    testops: async (payload) => {
      const p = payload as { op: string; jobId: string; taskToken?: string; resume?: unknown };
      const job = await store.getJob(p.jobId);
      if (!job) throw new Error(`no job ${p.jobId}`);
      if (p.op === 'pause' && job.type === 'failover_test') {
        // A test failover always pauses: up at DR until someone cleans it up.
        await store.updateJob(job.id, { details: { vms: [{ name: 'web-01', state: 'up' }] } });
        await store.putJobItem(job.id, 'token', 'resume', { taskToken: p.taskToken });
        const reason = 'test failover running at DR: Clean up when done';
        await store.transitionJob(job.id, { type: 'pause', actor: SYSTEM, reason, kind: 'operator' });
        await notifier().notify({ kind: 'job_paused', jobId: job.id, reason });
        return {};
      }
      if (p.op === 'pause' && job.type === 'failover') {
        // Up at DR, waiting for Commit / Roll back; after a Roll back, for its second confirmation.
        const pause = job.details.pause === 'decide' ? 'confirm-rollback' : 'decide';
        const state = pause === 'decide' ? 'up' : 'off';
        await store.updateJob(job.id, {
          details: { pause, vms: [{ name: 'web-01', state }], lossWindowS: 0, snapshot: 'replica' },
        });
        await store.putJobItem(job.id, 'token', 'resume', { taskToken: p.taskToken });
        const reason =
          pause === 'decide'
            ? 'failover up at DR: Commit or Roll back'
            : 'rolled back at DR: discard what changed there, or keep it';
        await store.transitionJob(job.id, { type: 'pause', actor: SYSTEM, reason, kind: 'operator' });
        await notifier().notify({ kind: 'job_paused', jobId: job.id, reason });
        return {};
      }
      if (p.op === 'pause') {
        const found = job.type === 'rolling_cluster_update' ? blockers() : {};
        if (!Object.keys(found).length) {
          // Nothing blocks: continue at once (after the engine has registered the token).
          setTimeout(
            () =>
              void orchestrator()
                .sendTaskSuccess(p.taskToken ?? '', {})
                .catch(() => undefined),
            5,
          );
          return {};
        }
        for (const [hostId, list] of Object.entries(found))
          await store.putJobItem(job.id, 'blocker', hostId, list);
        await store.putJobItem(job.id, 'token', 'resume', { taskToken: p.taskToken });
        const reason = `${Object.keys(found).length} host(s) have VMs that block maintenance mode`;
        await store.transitionJob(job.id, { type: 'pause', actor: SYSTEM, reason, kind: 'blockers' });
        await notifier().notify({ kind: 'job_paused', jobId: job.id, reason });
        return {};
      }
      if (p.op === 'finish') {
        await store.appendLog({
          jobId: job.id,
          level: 'info',
          message: `finished with ${JSON.stringify(p.resume).slice(0, 300)}`,
        });
        const done = await store.transitionJob(job.id, {
          type: 'complete',
          actor: SYSTEM,
          summary: 'all hosts updated',
        });
        await notifier().notify({ kind: 'job_completed', jobId: done.id, summary: done.summary ?? '' });
        return {};
      }
      if (p.op === 'cleanup') {
        await store.appendLog({ jobId: job.id, level: 'info', message: 'HA settings restored' });
        const cancelled = await store.transitionJob(job.id, {
          type: 'cancel',
          actor: SYSTEM,
          reason: 'cancelled; HA restored',
        });
        await notifier().notify({
          kind: 'job_cancelled',
          jobId: cancelled.id,
          summary: 'nothing was started; HA restored',
        });
        return {};
      }
      throw new Error(`unknown op ${p.op}`);
    },
  };
}
