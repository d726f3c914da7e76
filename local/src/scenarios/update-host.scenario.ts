import { startScenario } from './driver';
import {
  complianceOf,
  failureLines,
  firmwareOf,
  haOf,
  hostTags,
  inMaintenance,
  isDone,
  labOf,
  poweredOnVms,
} from './lab-facts';

/**
 * Runbook: an operator updates one host of lab-b (LABB001: outdated, no blocker) with `update host`. Checked on
 * the lab: that host compliant and back in service, no other host's firmware touched, HA as before, every VM
 * that ran runs again; and in the chat: the job's card ends with the host's row.
 */
export async function run() {
  const d = await startScenario();
  try {
    const lab = labOf(d.stack);
    const host = 'LABB001';
    const others = hostTags(lab, 'lab-b').filter((t) => t !== host);
    const othersBefore = JSON.stringify(others.map((t) => firmwareOf(lab, t)));
    const haBefore = JSON.stringify(haOf(lab, 'lab-b'));
    const vmsBefore = poweredOnVms(lab, 'lab-b');
    const before = await complianceOf(lab, [host]);
    const started = Date.now();
    const said = await d.say(`update host ${host}`);
    const job = await d.waitForJob('firmware_update', isDone, 600_000);
    const after = await complianceOf(lab, [host]);
    const card = d.cardText(`Firmware update · host`) ?? '';
    const checks = {
      accepted: said.some((t) => t.includes(job.id) || t.includes('Firmware update')),
      jobCompleted: job.status === 'completed',
      wasOutdated: before[host] !== 'compliant',
      hostCompliant: after[host] === 'compliant',
      othersUntouched: JSON.stringify(others.map((t) => firmwareOf(lab, t))) === othersBefore,
      hostBackInService: !inMaintenance(lab, 'lab-b').includes(host),
      haAsBefore: JSON.stringify(haOf(lab, 'lab-b')) === haBefore,
      vmsBackOn: JSON.stringify(poweredOnVms(lab, 'lab-b')) === JSON.stringify(vmsBefore),
      cardShowsHost: card.includes(host) || card.includes('esx-b01'),
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    await d.close();
  }
}
