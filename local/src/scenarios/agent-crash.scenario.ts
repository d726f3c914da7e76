import { startScenario } from './driver';
import {
  startUpdatePastBlockers,
  haOf,
  isDone,
  labOf,
  relayCommands,
  restartAgent,
  sleep,
} from './lab-facts';

/**
 * Runbook: the relay agent dies while a host is being updated (its process is gone: no results, no progress).
 * The step's heartbeat runs out and fails the host; the rollout stops. When the agent is back (restarted by its
 * service manager), the cleanup it was waiting for runs: HA is restored. The job ends; nothing hangs.
 */
export async function run() {
  const d = await startScenario();
  let agent: { stop(): Promise<void> } | undefined;
  try {
    const lab = labOf(d.stack);
    const haBefore = JSON.stringify(haOf(lab, 'lab-b'));
    const paused = await startUpdatePastBlockers(d, 'update cluster lab-b batch 2');
    // Wait until a host is mid-update (apply-and-reboot sent), then kill the agent.
    const jobId = paused.id;
    const end = Date.now() + 600_000;
    while (Date.now() < end) {
      const cmds = await relayCommands(d.stack.store, jobId);
      if (cmds.some((c) => c.kind === 'host.apply-and-reboot')) break;
      await sleep(200);
    }
    const killedAt = Date.now();
    await d.stack.agent?.stop();
    // The host step must fail by heartbeat while the agent is gone.
    const failedStep = await (async () => {
      while (Date.now() < killedAt + 300_000) {
        const steps = await d.stack.store.listSteps(jobId);
        const f = steps.find((s) => /^host:[^:]+$/.test(s.key) && s.status === 'failed');
        if (f) return f;
        await sleep(250);
      }
      return undefined;
    })();
    const detectedAfter_s = Math.round((Date.now() - killedAt) / 100) / 10;
    agent = restartAgent(d.stack);
    const job = await d.waitForJob('rolling_cluster_update', isDone, 600_000);
    const checks = {
      stepFailedByHeartbeat: Boolean(failedStep && /HeartbeatTimeout/.test(failedStep.message ?? '')),
      jobFailed: job.status === 'failed',
      haRestored: JSON.stringify(haOf(lab, 'lab-b')) === haBefore,
      reportNamesHost: Boolean(failedStep?.hostId && (job.error ?? '').includes(`(${failedStep.hostId})`)),
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      failedHost: failedStep?.hostId,
      detected_after_s: detectedAfter_s,
      finished_after_s: Math.round((Date.now() - killedAt) / 100) / 10,
    };
  } finally {
    await agent?.stop();
    await d.close();
  }
}
