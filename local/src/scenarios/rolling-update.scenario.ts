import { startScenario } from './driver';
import {
  complianceOf,
  failureLines,
  haOf,
  hostTags,
  inMaintenance,
  isDone,
  labOf,
  poweredOnVms,
  startUpdatePastBlockers,
} from './lab-facts';

/**
 * Runbook: an operator asks for a rolling update of lab-b (8 hosts, 6 outdated, blockers on 5 hosts), answers the
 * blocker wizard with the suggested actions, and waits. Checked on the lab itself: every host compliant with the
 * catalog, HA settings exactly as before, no host left in maintenance mode, every VM that ran runs again.
 */
export async function run() {
  const d = await startScenario();
  try {
    const lab = labOf(d.stack);
    const tags = hostTags(lab, 'lab-b');
    const haBefore = haOf(lab, 'lab-b');
    const vmsBefore = poweredOnVms(lab, 'lab-b');
    const before = await complianceOf(lab, tags);
    const started = Date.now();
    await startUpdatePastBlockers(d, 'update cluster lab-b');
    const job = await d.waitForJob('rolling_cluster_update', isDone, 600_000);
    const after = await complianceOf(lab, tags);
    const haAfter = haOf(lab, 'lab-b');
    const vmsAfter = poweredOnVms(lab, 'lab-b');
    const checks = {
      jobCompleted: job.status === 'completed',
      allCompliant: Object.values(after).every((s) => s === 'compliant'),
      haAsBefore: JSON.stringify(haAfter) === JSON.stringify(haBefore),
      noHostInMaintenance: inMaintenance(lab, 'lab-b').length === 0,
      vmsBackOn: JSON.stringify(vmsAfter) === JSON.stringify(vmsBefore),
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      hosts: tags.length,
      outdatedBefore: Object.values(before).filter((s) => s !== 'compliant').length,
      k: job.details.k,
      batches: job.details.batches,
      makespan_s: Math.round((Date.now() - started) / 100) / 10,
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    await d.close();
  }
}
