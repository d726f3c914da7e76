import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { APPROVER, type ScenarioDriver, startScenario } from './driver';
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
import { labWithStandalone } from './labs';

/**
 * Runbook: an operator updates one host of lab-b (LABB001: outdated, no blocker) with `update host`. Checked on
 * the lab: that host compliant and back in service, no other host's firmware touched, HA as before, every VM
 * that ran runs again; and in the chat: the job's card ends with the host's row. Then a host outside any
 * cluster (LABS001, standalone in vc-lab): no blocker scan and no HA step, maintenance mode still entered
 * and left, the host compliant.
 */
export async function run() {
  const d = await startScenario({ lab: labWithStandalone() });
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
    const standalone = await standaloneHost(d);
    const { error: standaloneError, ...standaloneChecks } = standalone;
    return {
      ok: Object.values(checks).every(Boolean) && Object.values(standaloneChecks).every(Boolean),
      ...checks,
      standalone: standaloneChecks,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
      ...(standaloneError ? { standaloneError } : {}),
    };
  } finally {
    await d.close();
  }
}

/** `update host` of the standalone host: what the lab and the job's steps say. */
async function standaloneHost(d: ScenarioDriver) {
  const lab = labOf(d.stack);
  const host = 'LABS001';
  const record = await d.stack.store.getRecord<{ clusterId?: string }>(INVENTORY_TYPES.host, host);
  const haBefore = JSON.stringify(['lab-a', 'lab-b'].map((c) => haOf(lab, c)));
  const before = await complianceOf(lab, [host]);
  let entered = false;
  const off = lab.world.events.on('host-maintenance', (e) => {
    if (e.hostId === host && e.inMaintenanceMode) entered = true;
  });
  try {
    await d.say(`update host ${host}`);
    // A host in no cluster is production (its cluster membership is unknown: the safe default): four-eyes.
    const asked = await d.waitForJob('firmware_update', (j) => j.target.id === host, 60_000);
    if (asked.status === 'pending' && asked.requiresApproval) {
      await d.say(`job ${asked.id}`, APPROVER, 'conv-approver');
      await d.clickCard('Approve', 'Approve', { as: APPROVER, conversation: 'conv-approver' });
    }
    const job = await d.waitForJob('firmware_update', (j) => j.id === asked.id && isDone(j), 600_000);
    const steps = (await d.stack.store.listSteps(job.id)).map((st) => st.key);
    const after = await complianceOf(lab, [host]);
    return {
      inventoryStandalone: Boolean(record) && !record?.data.clusterId,
      approvedByASecondPerson: job.approvedBy?.id !== undefined && job.approvedBy.id !== job.createdBy.id,
      jobCompleted: job.status === 'completed',
      wasOutdated: before[host] !== 'compliant',
      hostCompliant: after[host] === 'compliant',
      enteredMaintenance: entered,
      outOfMaintenanceAfter: !lab.world.host(host).inMaintenanceMode,
      noClusterSteps: !steps.some((k) => ['blocker-scan', 'ha-relax', 'ha-restore'].includes(k)),
      haAsBefore: JSON.stringify(['lab-a', 'lab-b'].map((c) => haOf(lab, c))) === haBefore,
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    off();
  }
}
