import { RackOpsError } from '@rackops/core/util/errors';
import { DURATIONS } from '../clock';
import { resetHost, resetIdrac } from './host-lifecycle';
import { traitsOf } from '../idrac/personality';
import { buildScp } from './scp';
import { type DellJobState, type HostState, type IdracJob, TERMINAL_JOB_STATES } from './types';
import type { World } from './world';

/** Errors the iDRAC answers with instead of creating a job; `messageId` is Dell's. */
export class IdracJobError extends RackOpsError {
  constructor(
    code:
      | 'lc_not_ready'
      | 'job_queue_blocked'
      | 'not_applicable'
      | 'duplicate_job'
      | 'job_running'
      | 'unknown_job'
      | 'invalid_profile',
    readonly messageId: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(code, message);
  }
}

const MESSAGES: Record<DellJobState, { message: string; messageId: string }> = {
  New: { message: 'Job created.', messageId: 'JCP000' },
  Scheduled: { message: 'Task successfully scheduled.', messageId: 'JCP001' },
  Downloading: { message: 'Downloading the update package.', messageId: 'RED003' },
  Downloaded: { message: 'Package successfully downloaded.', messageId: 'RED002' },
  RebootPending: {
    message: 'Job scheduled. A server reboot is pending to apply the update.',
    messageId: 'RED030',
  },
  Running: { message: 'Job in progress.', messageId: 'RED031' },
  Completed: { message: 'The specified job has completed successfully.', messageId: 'RED001' },
  Failed: { message: 'Unable to complete the firmware update operation.', messageId: 'SUP0518' },
  CompletedWithErrors: { message: 'Job completed with errors.', messageId: 'SUP0516' },
};

const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, '');

function setState(
  world: World,
  host: HostState,
  job: IdracJob,
  state: DellJobState,
  percent: number,
  message?: string,
) {
  job.state = state;
  job.percent = percent;
  job.message = message ?? MESSAGES[state].message;
  job.messageId = MESSAGES[state].messageId;
  if (TERMINAL_JOB_STATES.has(state)) job.completionTime = stamp(world.clock.now());
  world.events.emit('job-updated', { hostId: host.id, job });
}

/** A job-creating action while the Lifecycle Controller is busy is refused the way iDRAC9 refuses it. */
export function assertLcReady(world: World, hostId: string): void {
  if (world.faults.get(hostId).lcNotReady) {
    throw new IdracJobError(
      'lc_not_ready',
      'IDRAC.2.8.LC068',
      'Lifecycle Controller is not ready; retry later.',
      503,
    );
  }
}

export function isPending(job: IdracJob): boolean {
  return !TERMINAL_JOB_STATES.has(job.state);
}

export interface CreateUpdateJobInput {
  packageKey: string;
  version: string;
  applyTime: 'Immediate' | 'OnReset' | 'OnStartUpdateRequest';
  imageUri?: string;
  /** Fetches the package (SimpleUpdate) or is already done (MultipartUpload); a rejection fails the job. */
  download: () => Promise<void>;
}

/** SimpleUpdate / MultipartUpload: validate, create the job, then let it progress on the lab clock. */
export function createUpdateJob(world: World, hostId: string, input: CreateUpdateJobInput): IdracJob {
  const host = world.host(hostId);
  assertLcReady(world, hostId);
  const components = world.components.filter((c) => c.packageKey === input.packageKey && !c.followsFqdd);
  if (components.length === 0) {
    throw new IdracJobError(
      'not_applicable',
      'IDRAC.2.8.SUP029',
      `Unable to update the firmware because the package ${input.packageKey} is not applicable to this system.`,
      400,
    );
  }
  const pending = [...host.jobs.values()].filter((j) => (j.update || j.stale) && isPending(j));
  if (pending.some((j) => j.stale)) {
    throw new IdracJobError(
      'job_queue_blocked',
      'IDRAC.2.8.SUP0108',
      'Unable to create the update job because the job queue contains pending jobs that were not run. Clear the job queue and retry.',
      400,
    );
  }
  if (pending.some((j) => j.update?.packageKey === input.packageKey)) {
    throw new IdracJobError(
      'duplicate_job',
      'IDRAC.2.8.RED014',
      `A job for the package ${input.packageKey} is already scheduled.`,
      409,
    );
  }
  const id = world.nextJobId();
  const rebootRequired = components.some((c) => c.rebootRequired);
  const job: IdracJob = {
    id,
    name: `Firmware Update: ${components[0]!.name}`,
    jobType: 'FirmwareUpdate',
    state: 'Scheduled',
    percent: 0,
    ...MESSAGES.Scheduled,
    startTime: stamp(world.clock.now()),
    update: {
      packageKey: input.packageKey,
      version: input.version,
      fqdds: components.map((c) => c.fqdd),
      applyTime: input.applyTime,
      rebootRequired,
      ...(input.imageUri ? { imageUri: input.imageUri } : {}),
    },
  };
  host.jobs.set(id, job);
  world.events.emit('job-updated', { hostId, job });
  const gone = () => world.isStopped || host.jobs.get(id) !== job;
  world.clock.after(1_000, () => {
    if (gone()) return;
    setState(world, host, job, 'Downloading', 10);
    let downloaded = false;
    let timerDone = false;
    const next = () => {
      if (gone() || !downloaded || !timerDone || job.state !== 'Downloading') return;
      job.update!.downloaded = true;
      setState(world, host, job, 'Downloaded', 50);
      afterDownload(world, host, job);
    };
    input.download().then(
      () => {
        downloaded = true;
        next();
      },
      (err: unknown) => {
        if (gone()) return;
        const why = err instanceof Error ? err.message : String(err);
        setState(world, host, job, 'Failed', 100, `Unable to transfer the update package: ${why}`);
      },
    );
    world.clock.after(DURATIONS.jobDownload, () => {
      timerDone = true;
      next();
    });
  });
  return job;
}

function afterDownload(world: World, host: HostState, job: IdracJob): void {
  const u = job.update!;
  if (u.applyTime === 'OnStartUpdateRequest' && u.awaitingStart !== false) {
    // Parked until UpdateService.StartUpdate, whatever the component.
    u.awaitingStart = true;
    setState(world, host, job, 'Scheduled', 0);
    return;
  }
  if (!u.rebootRequired) {
    // iDRAC / LC / driver packs apply right away, whatever the apply time.
    world.clock.after(1_000, () => {
      if (world.isStopped || host.jobs.get(job.id) !== job) return;
      setState(world, host, job, 'Running', 60);
      world.clock.after(DURATIONS.jobImmediateRun, () => {
        if (world.isStopped || host.jobs.get(job.id) !== job) return;
        finishUpdate(world, host, job);
      });
    });
    return;
  }
  if (u.applyTime === 'OnReset') {
    setState(world, host, job, 'Scheduled', 0);
    return;
  }
  setState(world, host, job, 'RebootPending', 0);
  // Immediate: the iDRAC reboots the server itself to apply the update. A reboot already under
  // way that started applying updates before this one was ready does not take it: reboot again
  // once the host is up.
  const rebootIfStillPending = () => {
    if (world.isStopped || host.jobs.get(job.id) !== job || job.state !== 'RebootPending') return;
    if (host.power === 'On' && host.osPhase === 'running') {
      resetHost(world, host.id, 'GracefulRestart', `apply ${job.id}`);
    } else if (host.power === 'On' && host.osPhase !== 'shuttingDown' && host.osPhase !== 'post') {
      const off = world.events.on('host-up', ({ hostId }) => {
        if (hostId !== host.id) return;
        off();
        rebootIfStillPending();
      });
    }
  };
  rebootIfStillPending();
}

/** UpdateService.StartUpdate: apply every job parked with OnStartUpdateRequest, as Immediate. */
export function startUpdate(world: World, hostId: string): number {
  const host = world.host(hostId);
  const parked = [...host.jobs.values()].filter((j) => j.update?.awaitingStart && j.update.downloaded);
  for (const job of parked) {
    job.update!.awaitingStart = false;
    afterDownload(world, host, job);
  }
  return parked.length;
}

/**
 * Firmware jobs that run in the next POST: staged ones, and any a reset interrupted while it
 * was running (the iDRAC retries those).
 */
function stagedJobs(host: HostState): IdracJob[] {
  return [...host.jobs.values()].filter(
    (j) =>
      !j.stale &&
      j.update?.rebootRequired &&
      j.update.downloaded &&
      !j.update.awaitingStart &&
      (j.state === 'Scheduled' || j.state === 'RebootPending' || j.state === 'Running'),
  );
}

/**
 * Called by the boot sequence after POST: runs the staged jobs one after the other, then
 * `done()`. Returns false (and calls nothing) when there is nothing staged.
 */
export function runStagedJobs(world: World, host: HostState, live: () => boolean, done: () => void): boolean {
  const queue = stagedJobs(host);
  if (queue.length === 0) {
    done();
    return false;
  }
  const step = (i: number) => {
    if (!live()) return;
    const job = queue[i];
    if (!job) {
      done();
      return;
    }
    setState(world, host, job, 'Running', 50);
    world.clock.after(DURATIONS.firmwareApply, () => {
      if (!live()) return;
      finishUpdate(world, host, job);
      step(i + 1);
    });
  };
  step(0);
  return true;
}

function finishUpdate(world: World, host: HostState, job: IdracJob): void {
  const u = job.update!;
  const outcome = world.faults.get(host.id).jobOutcome;
  if (outcome === 'failed') {
    setState(world, host, job, 'Failed', 100);
    return;
  }
  // CompletedWithErrors: the package applied to all but its last device.
  const fqdds = outcome === 'completedWithErrors' ? u.fqdds.slice(0, -1) : u.fqdds;
  for (const fqdd of fqdds) applyFirmware(world, host, fqdd, u.version);
  setState(world, host, job, outcome === 'completedWithErrors' ? 'CompletedWithErrors' : 'Completed', 100);
  if (world.components.some((c) => c.resetsIdrac && fqdds.includes(c.fqdd))) resetIdrac(world, host.id);
}

function applyFirmware(world: World, host: HostState, fqdd: string, version: string): void {
  const now = world.clock.now().toISOString();
  const set = (f: string) => {
    const cur = host.firmware.get(f);
    if (!cur) return;
    const from = cur.version;
    host.firmware.set(f, { version, previousVersion: from, installedAt: now });
    world.events.emit('firmware-applied', { hostId: host.id, fqdd: f, from, to: version });
  };
  set(fqdd);
  for (const c of world.components) if (c.followsFqdd === fqdd) set(c.fqdd);
}

/** DellJobService.DeleteJobQueue: one job, or `JID_CLEARALL` (also clears stale jobs). */
export function deleteJobs(world: World, hostId: string, jobId: string): number {
  const host = world.host(hostId);
  if (jobId === 'JID_CLEARALL' || jobId === 'JID_CLEARALL_FORCE') {
    const n = host.jobs.size;
    host.jobs.clear();
    return n;
  }
  if (!host.jobs.has(jobId)) {
    throw new IdracJobError('unknown_job', 'IDRAC.2.8.SUP011', `Invalid job ID ${jobId}.`, 400);
  }
  const job = host.jobs.get(jobId)!;
  if (job.state === 'Running' && !job.stale) {
    throw new IdracJobError(
      'duplicate_job',
      'IDRAC.2.8.SUP0514',
      `Unable to delete the running job ${jobId}.`,
      400,
    );
  }
  host.jobs.delete(jobId);
  return 1;
}

/** ExportSystemConfiguration: a job that completes with the profile as its content. */
export function createExportJob(
  world: World,
  hostId: string,
  opts: { format: 'JSON' | 'XML'; target: string },
): IdracJob {
  const host = world.host(hostId);
  assertLcReady(world, hostId);
  const id = world.nextJobId();
  const job: IdracJob = {
    id,
    name: 'Export: Server Configuration Profile',
    jobType: 'ExportConfiguration',
    state: 'Running',
    percent: 0,
    message: 'Exporting Server Configuration Profile.',
    messageId: 'SYS057',
    startTime: stamp(world.clock.now()),
    exportFormat: opts.format,
  };
  host.jobs.set(id, job);
  world.clock.after(DURATIONS.scpExport, () => {
    if (world.isStopped || host.jobs.get(id) !== job) return;
    job.exportContent = buildScp(world, host, opts);
    setState(world, host, job, 'Completed', 100, 'Successfully exported Server Configuration Profile');
    job.messageId = 'SYS043';
  });
  return job;
}

/**
 * A host reset requested through Redfish, on a generation that reports it as a reboot job (`RID_…`): the job
 * reaches 100 % with "Reboot is complete." when the host is back, and stays `Running` (issue 19, defect 9).
 */
export function recordRebootJob(world: World, hostId: string): IdracJob | undefined {
  const host = world.host(hostId);
  if (!traitsOf(host.idracPersonality).rebootJobStaysRunning) return undefined;
  const job: IdracJob = {
    id: world.nextJobId().replace(/^JID_/, 'RID_'),
    name: 'Reboot: Graceful reboot without forced shutdown',
    jobType: 'RebootNoForce',
    state: 'Running',
    percent: 0,
    message: 'Reboot is in progress.',
    messageId: MESSAGES.Running.messageId,
    startTime: stamp(world.clock.now()),
  };
  host.jobs.set(job.id, job);
  const off = world.events.on('host-up', ({ hostId: up }) => {
    if (up !== hostId) return;
    off();
    if (host.jobs.get(job.id) !== job) return;
    job.percent = 100;
    job.message = 'Reboot is complete.';
    world.events.emit('job-updated', { hostId, job });
  });
  return job;
}
