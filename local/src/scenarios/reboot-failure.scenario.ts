import { startScenario } from './driver';
import {
  haOf,
  hostTags,
  inMaintenance,
  isDone,
  labOf,
  relayCommands,
  notTakenOut,
  rebootBoundFirmwareOf,
  startUpdatePastBlockers,
} from './lab-facts';

/**
 * Runbook: LABB001 (first batch) never comes back from its reboot. The rollout stops after that batch, HA is
 * restored, and the report names LABB001 and where it is; hosts of later batches are untouched.
 */
export async function run() {
  const d = await startScenario();
  try {
    const lab = labOf(d.stack);
    const tags = hostTags(lab, 'lab-b');
    const bad = 'LABB001';
    const haBefore = JSON.stringify(haOf(lab, 'lab-b'));
    const fwBefore = Object.fromEntries(tags.map((t) => [t, JSON.stringify(rebootBoundFirmwareOf(lab, t))]));
    lab.faults.set(bad, { rebootHangs: true });
    await startUpdatePastBlockers(d, 'update cluster lab-b batch 2');
    const job = await d.waitForJob('rolling_cluster_update', isDone, 900_000);
    const report = job.error ?? job.summary ?? '';
    const badLine = report.split('\n').find((l) => l.includes(`(${bad})`)) ?? '';
    const cmds = await relayCommands(d.stack.store, job.id);
    const steps = await d.stack.store.listSteps(job.id);
    const started = new Set(steps.filter((s) => /^host:[^:]+$/.test(s.key)).map((s) => s.hostId));
    const later = tags.filter((t) => !started.has(t));
    const checks = {
      jobFailed: job.status === 'failed',
      reportNamesHostAndState: /FAILED/.test(badLine) && /now /.test(badLine),
      rolloutStopped:
        later.length > 0 &&
        later.every(
          (t) => notTakenOut(cmds, t) && JSON.stringify(rebootBoundFirmwareOf(lab, t)) === fwBefore[t],
        ),
      haRestored:
        JSON.stringify(haOf(lab, 'lab-b')) === haBefore && /HA admission control restored/.test(report),
      otherHostsOutOfMaintenance: inMaintenance(lab, 'lab-b').every((t) => t === bad),
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      failedHost: badLine.slice(0, 400),
      untouched: later,
    };
  } finally {
    await d.close();
  }
}
