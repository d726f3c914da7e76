import { startAgentProcess } from '../runtime/agent-process';
import { startScenario } from './driver';
import {
  agentOptionsFor,
  haOf,
  isAlive,
  isDone,
  labOf,
  relayCommands,
  sleep,
  startUpdatePastBlockers,
} from './lab-facts';

/**
 * Runbook: the relay agent crashes while a host is being updated — its process is SIGKILLed, as the OOM killer
 * or a power cut would: no grace period, no last result, its ledger left mid-command. The step's heartbeat runs
 * out and fails the host; the rollout stops. When a new agent process is up (restarted by its service manager,
 * same ledger), the cleanup it was waiting for runs: HA is restored. The job ends; nothing hangs.
 */
export async function run() {
  const d = await startScenario({ agentProcess: true });
  try {
    const lab = labOf(d.stack);
    const haBefore = JSON.stringify(haOf(lab, 'lab-b'));
    const paused = await startUpdatePastBlockers(d, 'update cluster lab-b batch 2');
    // Wait until a host is mid-update (apply-and-reboot sent), then kill the agent's process.
    const jobId = paused.id;
    const end = Date.now() + 600_000;
    while (Date.now() < end) {
      const cmds = await relayCommands(d.stack.store, jobId);
      if (cmds.some((c) => c.kind === 'host.apply-and-reboot')) break;
      await sleep(200);
    }
    const killedPid = d.agentProcess?.pid;
    const killedAt = Date.now();
    await d.agentProcess?.crash();
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
    d.agentProcess = await startAgentProcess(agentOptionsFor(d.stack));
    const job = await d.waitForJob('rolling_cluster_update', isDone, 600_000);
    const checks = {
      agentKilled: killedPid !== undefined && !isAlive(killedPid),
      stepFailedByHeartbeat: Boolean(failedStep && /HeartbeatTimeout/.test(failedStep.message ?? '')),
      jobFailed: job.status === 'failed',
      haRestored: JSON.stringify(haOf(lab, 'lab-b')) === haBefore,
      reportNamesHost: Boolean(failedStep?.hostId && (job.error ?? '').includes(`(${failedStep.hostId})`)),
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      killed: 'SIGKILL',
      failedHost: failedStep?.hostId,
      detected_after_s: detectedAfter_s,
      finished_after_s: Math.round((Date.now() - killedAt) / 100) / 10,
    };
  } finally {
    await d.close();
  }
}
