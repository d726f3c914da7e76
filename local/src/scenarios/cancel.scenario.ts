import { startScenario } from './driver';
import {
  haOf,
  hostTags,
  inMaintenance,
  isDone,
  labOf,
  relayCommands,
  sleep,
  notTakenOut,
  touching,
  rebootBoundFirmwareOf,
  startUpdatePastBlockers,
} from './lab-facts';
import { hostStepKey } from '@rackops/core/jobs/job-step';

/**
 * Runbook: rolling update of lab-b in batches of 2 (the operator asks `batch 2`); during batch 2 the operator
 * types `cancel <job>` (graceful). The hosts in flight finish their update; no host of a later batch is touched;
 * HA is restored; the job ends cancelled.
 */
export async function run() {
  const d = await startScenario();
  try {
    const lab = labOf(d.stack);
    const tags = hostTags(lab, 'lab-b');
    const haBefore = JSON.stringify(haOf(lab, 'lab-b'));
    const fwBefore = Object.fromEntries(tags.map((t) => [t, JSON.stringify(rebootBoundFirmwareOf(lab, t))]));
    await startUpdatePastBlockers(d, 'update cluster lab-b batch 2');
    const inBatch2 = await d.waitForJob(
      'rolling_cluster_update',
      (j) => isDone(j) || (j.details.phase === 'updating' && j.details.batch === 2),
      600_000,
    );
    // Let batch 2's hosts get going (SCP, maintenance) before the cancel arrives.
    await sleep(1500);
    const inFlight = (await d.stack.store.listSteps(inBatch2.id))
      .filter((s) => /^host:[^:]+$/.test(s.key) && s.status === 'running')
      .map((s) => s.hostId!);
    const reply = await d.say(`cancel ${inBatch2.id}`);
    const job = await d.waitForJob('rolling_cluster_update', isDone, 600_000);
    const cmds = await relayCommands(d.stack.store, job.id);
    const steps = await d.stack.store.listSteps(job.id);
    const done = (id: string) => steps.some((s) => s.key === hostStepKey(id) && s.status === 'completed');
    const started = new Set(steps.filter((s) => /^host:[^:]+$/.test(s.key)).map((s) => s.hostId));
    const untouched = tags.filter((t) => !started.has(t));
    const checks = {
      cancelledInBatch2: inBatch2.details.batch === 2 && inBatch2.status === 'running',
      jobCancelled: job.status === 'cancelled',
      inFlightFinished: inFlight.length > 0 && inFlight.every(done),
      laterHostsUntouched:
        untouched.length > 0 &&
        untouched.every(
          (t) => notTakenOut(cmds, t) && JSON.stringify(rebootBoundFirmwareOf(lab, t)) === fwBefore[t],
        ),
      haRestored: JSON.stringify(haOf(lab, 'lab-b')) === haBefore,
      noHostInMaintenance: inMaintenance(lab, 'lab-b').length === 0,
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      inFlight,
      untouched,
      untouchedDetail: Object.fromEntries(
        untouched.map((t) => [
          t,
          {
            commands: touching(cmds, t),
            rebootBoundFirmwareUnchanged: JSON.stringify(rebootBoundFirmwareOf(lab, t)) === fwBefore[t],
          },
        ]),
      ),
      botReply: reply[0]?.slice(0, 160),
      summary: job.summary?.split('\n')[0],
    };
  } finally {
    await d.close();
  }
}
