import type { Job } from '@rackops/core/jobs/job.schema';
import { type ScenarioDriver, startScenario } from './driver';
import {
  hostTags,
  inMaintenance,
  isDone,
  labOf,
  poweredOnVms,
  rebootBoundFirmwareOf,
  relayCommands,
  sleep,
  startUpdatePastBlockers,
} from './lab-facts';

export interface CancelNowFacts {
  job: Job;
  /** The host whose step `during` was running when `cancel <id> now` arrived. */
  host: string;
  hostPhase: string | undefined;
  hostsLeftInMaintenance: number;
  vmsBackOn: boolean;
  /** A reboot (firmware apply) was sent to the cancelled host, or its reboot-bound firmware changed. */
  flashInterrupted: boolean;
  /** Its staged firmware jobs were removed again (Cleanup's un-stage ran for it). */
  unstaged: boolean;
  botReply: string | undefined;
}

/**
 * Rolling update of lab-b; while the first host runs step `during` the operator types `cancel <job> now`.
 * During maintenance-mode entry that host must not flash: it leaves maintenance mode, its VMs are powered back
 * on, its staged firmware jobs are removed, and it counts as not started. During the flash it finishes that
 * step and comes back into service. Reads the outcome from the lab itself.
 */
export async function cancelNowDuring(
  d: ScenarioDriver,
  during: 'enter-maintenance' | 'apply-and-reboot' = 'enter-maintenance',
): Promise<CancelNowFacts> {
  const lab = labOf(d.stack);
  const tags = hostTags(lab, 'lab-b');
  const vmsBefore = poweredOnVms(lab, 'lab-b');
  const fwBefore = Object.fromEntries(tags.map((t) => [t, JSON.stringify(rebootBoundFirmwareOf(lab, t))]));
  await startUpdatePastBlockers(d, 'update cluster lab-b');
  const running = await d.waitForJob('rolling_cluster_update', (j) => j.status === 'running' || isDone(j));
  let host: string | undefined;
  for (let i = 0; !host && i < 3000; i++) {
    const steps = await d.stack.store.listSteps(running.id);
    host = steps.find((s) => s.key.endsWith(`:${during}`) && s.status === 'running')?.hostId;
    if (!host) await sleep(50);
  }
  if (!host) throw new Error(`no host ran ${during} in job ${running.id}`);
  const reply = await d.say(`cancel ${running.id} now`);
  const job = await d.waitForJob('rolling_cluster_update', isDone, 600_000);
  const cmds = (await relayCommands(d.stack.store, job.id)).filter((c) => c.target?.id === host);
  const item = await d.stack.store.getJobItem<{ phase?: string }>(job.id, 'host', host);
  const kinds = cmds.map((c) => c.kind);
  return {
    job,
    host,
    hostPhase: item?.phase,
    hostsLeftInMaintenance: inMaintenance(lab, 'lab-b').length,
    vmsBackOn: JSON.stringify(poweredOnVms(lab, 'lab-b')) === JSON.stringify(vmsBefore),
    flashInterrupted:
      kinds.includes('host.apply-and-reboot') ||
      JSON.stringify(rebootBoundFirmwareOf(lab, host)) !== fwBefore[host],
    unstaged: kinds.lastIndexOf('idrac.clear-stale-jobs') > kinds.lastIndexOf('firmware.stage'),
    botReply: reply[0]?.slice(0, 200),
  };
}

/** `npm run scenario -- cancel-now`. */
export async function run() {
  const d = await startScenario();
  try {
    const f = await cancelNowDuring(d);
    const checks = {
      jobCancelled: f.job.status === 'cancelled',
      hostCountedUntouched: f.hostPhase === 'not_started',
      stagedJobsRemoved: f.unstaged,
    };
    return {
      ok:
        Object.values(checks).every(Boolean) &&
        f.hostsLeftInMaintenance === 0 &&
        f.vmsBackOn &&
        !f.flashInterrupted,
      hostsLeftInMaintenance: f.hostsLeftInMaintenance,
      vmsBackOn: f.vmsBackOn,
      flashInterrupted: f.flashInterrupted,
      ...checks,
      host: f.host,
      botReply: f.botReply,
      summary: f.job.summary?.split('\n')[0],
    };
  } finally {
    await d.close();
  }
}
