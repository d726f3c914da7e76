import { startScenario } from './driver';
import {
  complianceOf,
  failureLines,
  hostTags,
  inMaintenance,
  isDone,
  labOf,
  startUpdatePastBlockers,
} from './lab-facts';
import { generationsOf, labMixedFleet } from './labs';

/**
 * Runbook: a rolling update of lab-b, whose hosts' iDRACs span three generations (iDRAC9 3.x with the old Dell OEM
 * layout and no `$expand`, 6.x as captured, 7.x), on a vCenter with real servers' quirks (60 s session timeout, time-scaled; `XMLSchema-instance` prefix; empty
 * elements; expired sessions reported in `missingSet`). The operator answers
 * the blocker wizard with the suggested actions and waits. Checked on the lab: every host compliant, none left
 * in maintenance mode.
 */
export async function run() {
  const cfg = labMixedFleet();
  const generations = generationsOf(cfg, 'lab-b');
  const d = await startScenario({ lab: cfg });
  try {
    const lab = labOf(d.stack);
    const tags = hostTags(lab, 'lab-b');
    await startUpdatePastBlockers(d, 'update cluster lab-b');
    const job = await d.waitForJob('rolling_cluster_update', isDone, 600_000);
    const after = await complianceOf(lab, tags);
    const checks = {
      jobCompleted: job.status === 'completed',
      allCompliant: Object.values(after).every((s) => s === 'compliant'),
      noHostInMaintenance: inMaintenance(lab, 'lab-b').length === 0,
      threeGenerations: generations.length === 3,
    };
    return {
      ok: Object.values(checks).every(Boolean),
      generations: generations.length,
      // Re-logins the vCenter's session timeout forced (missingSet NotAuthenticated → one re-login and retry).
      relogins: d.stack.agent?.metrics.vcenterRelogins ?? 0,
      allCompliant: checks.allCompliant,
      jobCompleted: checks.jobCompleted,
      noHostInMaintenance: checks.noHostInMaintenance,
      hosts: tags.length,
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    await d.close();
  }
}
