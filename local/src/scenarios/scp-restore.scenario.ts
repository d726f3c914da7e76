import { flattenProfile, parseProfile } from '@rackops/core/scp/profile.schema';
import { buildScp } from '@rackops/lab/world/scp';
import { backupKeys } from '../backup-bucket';
import { startScenario } from './driver';
import { failureLines, hostTags, isDone, labOf } from './lab-facts';

/**
 * Runbook: an operator backs up a host of lab-a (`scp export`), someone changes a BIOS and an iDRAC setting by
 * hand, and the operator lists the backups, compares, previews the restore and restores it (`confirm`, forced
 * restart). Checked on the lab: the host's configuration equals the backup again, the preview changed nothing,
 * the host was in maintenance mode while the import ran (as the lab's vCenter had it when the iDRAC's import
 * job moved) and is out of it afterwards, and a restore onto a host that is now another model is refused.
 * The host is lab-a's one without blockers: a restore of a host whose VMs need a decision is refused.
 */
export async function run() {
  const d = await startScenario();
  try {
    const lab = labOf(d.stack);
    const host = hostTags(lab, 'lab-a')[3] ?? 'LABA004';
    const state = lab.world.host(host);
    const current = () =>
      flattenProfile(parseProfile(buildScp(lab.world, state, { format: 'JSON', target: 'ALL' })));
    const started = Date.now();

    await d.say(`scp export ${host}`);
    const exported = await d.waitForJob('scp_export', isDone, 300_000);
    const atBackup = JSON.stringify([...current()].map(([k, v]) => [k, [...v]]));

    await d.say(`backups ${host}`);
    const listed = await d.waitForJob('scp_backups', isDone, 300_000);
    const backupId = new RegExp(`${host}-\\d{8}T\\d{6}Z-[A-Za-z0-9]+`).exec(listed.summary ?? '')?.[0] ?? '';
    // The backup left the agent: it is in the stack's S3 bucket (fauxqs), as it would be in the stateful stack's.
    const bucket = d.stack.config.backups;
    const inBucket = (await backupKeys(bucket, host)).includes(`${bucket.prefix}${host}/${backupId}.json`);

    // Changed by hand, as on the iDRAC's own UI.
    const first = (fqdd: string) => [...(current().get(fqdd)?.keys() ?? [])][0] ?? '';
    const bios = first('BIOS.Setup.1-1');
    const idrac = first('iDRAC.Embedded.1');
    state.scpAttributes.set('BIOS.Setup.1-1', new Map([[bios, 'ChangedByHand']]));
    state.scpAttributes.set('iDRAC.Embedded.1', new Map([[idrac, 'ChangedByHand']]));

    await d.say(`scp diff ${host} ${backupId}`);
    const diff = await d.waitForJob('scp_diff', isDone, 300_000);

    const bootBefore = state.lastBootAt;
    const preview = await d.say(`scp restore ${host} ${backupId}`);
    const previewJob = await d.waitForJob('scp_diff', (j) => isDone(j) && j.id !== diff.id, 300_000);
    const previewChangedNothing =
      state.lastBootAt === bootBefore && current().get('BIOS.Setup.1-1')?.get(bios) === 'ChangedByHand';

    // Whether vCenter had the host in maintenance mode each time the import job moved (the lab's own truth).
    const duringImport: boolean[] = [];
    const off = lab.world.events.on('job-updated', ({ hostId, job }) => {
      if (hostId === host && job.jobType === 'ImportConfiguration')
        duringImport.push(state.inMaintenanceMode);
    });
    await d.say(`scp restore ${host} ${backupId} forced confirm`);
    const restore = await d.waitForJob('scp_restore', isDone, 600_000);
    off();
    const steps = (await d.stack.store.listSteps(restore.id)).map((st) => `${st.key}:${st.status}`);
    // The job's card as `job ID` shows it now: its steps.
    await d.say(`job ${restore.id}`);
    const restoreCard = d.cardText(restore.id) ?? '';
    const reexportEqualsBackup = JSON.stringify([...current()].map(([k, v]) => [k, [...v]])) === atBackup;

    const model = state.model;
    state.model = 'PowerEdge R7625';
    await d.say(`scp restore ${host} ${backupId} confirm`);
    const refused = await d.waitForJob('scp_restore', (j) => isDone(j) && j.id !== restore.id, 300_000);
    state.model = model;

    const checks = {
      exported: exported.status === 'completed',
      listed: listed.status === 'completed' && backupId !== '',
      inBucket,
      diffShown: diff.status === 'completed' && /2 attribute\(s\) differ/.test(diff.summary ?? ''),
      previewShown:
        preview.some((t) => t.includes('Preview only')) &&
        /would change 2 attribute\(s\)/.test(previewJob.summary ?? ''),
      previewChangedNothing,
      restored: restore.status === 'completed' && /restored onto/.test(restore.summary ?? ''),
      hostRestarted: state.lastBootAt !== bootBefore,
      inMaintenanceDuringImport: duringImport.length > 0 && duringImport.every(Boolean),
      outOfMaintenanceAfter: !state.inMaintenanceMode,
      maintenanceStepsShown: [
        'blocker-scan:completed',
        `host:${host}:enter-maintenance:completed`,
        'command:completed',
        `host:${host}:exit-maintenance:completed`,
      ].every((k) => steps.includes(k)),
      cardShowsMaintenance: restoreCard.includes('entered for the import, left after it'),
      reexportEqualsBackup,
      otherModelRefused:
        refused.status === 'failed' &&
        /scp_model_mismatch|only restored onto the model/.test(
          `${refused.error ?? ''} ${refused.summary ?? ''}`,
        ),
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      backupId,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...(restore.status !== 'completed' ? { error: failureLines(restore) } : {}),
    };
  } finally {
    await d.close();
  }
}
