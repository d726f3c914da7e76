import { startScenario } from './driver';
import {
  failureLines,
  firmwareOf,
  haOf,
  hostTags,
  isDone,
  labOf,
  relayCommands,
  resolveWizard,
  touching,
  askForUpdate,
} from './lab-facts';

/**
 * Runbook: rolling update of lab-b; RackOps pauses on the blockers and shows the wizard. The operator powers
 * off the USB-dongle VM (suggested action) and skips LABB003 (the vGPU host), then resumes. The execution
 * continues in place (no preflight or scan again), the dongle VM is back on at the end, LABB003 untouched.
 */
export async function run() {
  const d = await startScenario();
  try {
    const lab = labOf(d.stack);
    const tags = hostTags(lab, 'lab-b');
    const skipped = 'LABB003';
    const dongle = [...lab.world.vms.values()].find((v) => v.name === 'usb-dongle-01')!;
    const fwSkippedBefore = JSON.stringify(firmwareOf(lab, skipped));
    const haBefore = JSON.stringify(haOf(lab, 'lab-b'));
    const paused = await askForUpdate(d, 'update cluster lab-b');
    const cmdsAtPause = await relayCommands(d.stack.store, paused.id);
    const wizardShown = d.cardText('Resume job') !== undefined || paused.status === 'paused';
    await resolveWizard(d, { skip: [skipped], vmActions: { 'installer-01': 'power_off' } });
    // While running after the resume: the dongle VM goes off before its host enters maintenance.
    let sawDongleOff = false;
    const job = await d.waitForJob(
      'rolling_cluster_update',
      (j) => {
        if (dongle.powerState === 'poweredOff') sawDongleOff = true;
        return isDone(j);
      },
      600_000,
    );
    const cmds = await relayCommands(d.stack.store, job.id);
    const count = (kind: string) => cmds.filter((c) => c.kind === kind).length;
    const vmPowerOff = cmds.filter((c) => c.kind === 'vm.power').length;
    const checks = {
      paused: paused.status === 'paused',
      wizardShown,
      jobCompleted: job.status === 'completed',
      // In place: each host's preflight read and the scan ran once, before the pause, never again.
      preflightNotRepeated:
        count('host.preflight') === tags.length &&
        count('host.preflight') === cmdsAtPause.filter((c) => c.kind === 'host.preflight').length,
      scanOnce: count('cluster.scan-blockers') === 1,
      dongleWasOff: sawDongleOff || vmPowerOff >= 2,
      dongleBackOn: dongle.powerState === 'poweredOn',
      skippedUntouched:
        touching(cmds, skipped).length === 0 && JSON.stringify(firmwareOf(lab, skipped)) === fwSkippedBefore,
      haAsBefore: JSON.stringify(haOf(lab, 'lab-b')) === haBefore,
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      inventoryReads: count('inventory.idrac'),
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    await d.close();
  }
}
