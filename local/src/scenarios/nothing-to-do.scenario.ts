import { startScenario } from './driver';
import { firmwareOf, haOf, hostTags, isDone, labOf, READS, relayCommands } from './lab-facts';
import { labAllCurrent } from './labs';

/**
 * Runbook: lab-b is already on the catalog's firmware; an operator asks for a rolling update anyway. RackOps
 * reads every host and the catalog, finds nothing to do, completes at preflight and says so: no command but
 * reads reaches any device, HA is never touched.
 */
export async function run() {
  const d = await startScenario({ lab: labAllCurrent('lab-b') });
  try {
    const lab = labOf(d.stack);
    const tags = hostTags(lab, 'lab-b');
    const fwBefore = tags.map((t) => JSON.stringify(firmwareOf(lab, t)));
    const haBefore = JSON.stringify(haOf(lab, 'lab-b'));
    const t0 = Date.now();
    const replies = await d.say('update cluster lab-b');
    const job = await d.waitForJob('rolling_cluster_update', isDone, 180_000);
    const cmds = await relayCommands(d.stack.store, job.id);
    const kinds = [...new Set(cmds.map((c) => c.kind))].sort();
    const steps = await d.stack.store.listSteps(job.id);
    const checks = {
      jobCompleted: job.status === 'completed',
      saysNothingToDo: /nothing to update/.test(job.summary ?? ''),
      onlyReads: cmds.every((c) => c.kind !== undefined && READS.has(c.kind)),
      firmwareUnchanged:
        JSON.stringify(tags.map((t) => JSON.stringify(firmwareOf(lab, t)))) === JSON.stringify(fwBefore),
      haUntouched: JSON.stringify(haOf(lab, 'lab-b')) === haBefore,
      noHostStep: !steps.some((s) => /^host:[^:]+$/.test(s.key)),
      botTold: replies.length > 0,
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      hosts: tags.length,
      commandKinds: kinds,
      duration_s: Math.round((Date.now() - t0) / 100) / 10,
      summary: job.summary?.split('\n')[0],
    };
  } finally {
    await d.close();
  }
}
