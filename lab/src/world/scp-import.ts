import { ScpProfileError, flattenProfile, parseProfile } from '@rackops/core/scp/profile.schema';
import { DURATIONS } from '../clock';
import { resetHost } from './host-lifecycle';
import { IdracJobError, assertLcReady } from './idrac-jobs';
import { SCP_SOURCES, buildScp } from './scp';
import { mergeAttributes } from './scp-attributes';
import type { HostState, IdracJob } from './types';
import type { World } from './world';

export type ShutdownType = 'Graceful' | 'Forced' | 'NoReboot';

type AttrMap = Map<string, Map<string, string>>;

const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, '');

/** What an import would change: known attributes whose value differs; names the iDRAC does not have. */
function planImport(world: World, host: HostState, buffer: string, target: string) {
  const current = flattenProfile(parseProfile(buildScp(world, host, { format: 'JSON', target: 'ALL' })));
  const wanted = flattenProfile(parseProfile(buffer));
  const allowed = new Set(
    SCP_SOURCES.filter((s) => target === 'ALL' || s.target === target).map((s) => s.fqdd),
  );
  const changes: AttrMap = new Map();
  const unknown: string[] = [];
  for (const [fqdd, attrs] of wanted) {
    if (!allowed.has(fqdd)) continue;
    const have = current.get(fqdd);
    for (const [name, value] of attrs) {
      const now = have?.get(name);
      if (now === undefined) unknown.push(`${fqdd}#${name}`);
      else if (now !== value) {
        const c = changes.get(fqdd) ?? new Map<string, string>();
        c.set(name, value);
        changes.set(fqdd, c);
      }
    }
  }
  return { changes, unknown };
}

function finish(
  world: World,
  host: HostState,
  job: IdracJob,
  unknown: string[],
  message: string,
  messageId: string,
) {
  if (host.jobs.get(job.id) !== job) return;
  job.state = unknown.length ? 'CompletedWithErrors' : 'Completed';
  job.percent = 100;
  job.message = unknown.length
    ? `${message} ${unknown.length} attribute(s) not found: ${unknown.slice(0, 5).join(', ')}.`
    : message;
  job.messageId = messageId;
  job.completionTime = stamp(world.clock.now());
  world.events.emit('job-updated', { hostId: host.id, job });
}

/**
 * ImportSystemConfiguration: a job that applies the profile's attributes that differ from the host's. iDRAC and
 * system attributes apply at once; BIOS ones need a POST, so `Graceful`/`Forced` restart the server (the job
 * completes once it is back) and `NoReboot` leaves them pending until the next restart.
 */
export function createImportJob(
  world: World,
  hostId: string,
  opts: { buffer: string; shutdownType: ShutdownType; target: string },
): IdracJob {
  const host = world.host(hostId);
  assertLcReady(world, hostId);
  try {
    parseProfile(opts.buffer);
  } catch (e) {
    if (e instanceof ScpProfileError)
      throw new IdracJobError(
        'invalid_profile',
        'IDRAC.2.8.SYS041',
        `Unable to parse the profile: ${e.message}.`,
        400,
      );
    throw e;
  }
  const job: IdracJob = {
    id: world.nextJobId(),
    name: 'Import Configuration',
    jobType: 'ImportConfiguration',
    state: 'Running',
    percent: 0,
    message: 'Importing Server Configuration Profile.',
    messageId: 'SYS055',
    startTime: stamp(world.clock.now()),
  };
  host.jobs.set(job.id, job);
  world.clock.after(DURATIONS.scpImport, () => {
    if (world.isStopped || host.jobs.get(job.id) !== job) return;
    if (world.faults.get(host.id).jobOutcome === 'failed') {
      // The fault that fails firmware jobs fails the import too, before anything is applied.
      job.state = 'Failed';
      job.percent = 100;
      job.message = 'Unable to complete the import operation: the configuration was not applied.';
      job.messageId = 'SYS051';
      job.completionTime = stamp(world.clock.now());
      world.events.emit('job-updated', { hostId: host.id, job });
      return;
    }
    const { changes, unknown } = planImport(world, host, opts.buffer, opts.target);
    if (changes.size === 0) {
      finish(
        world,
        host,
        job,
        unknown,
        'No changes were applied since the current component configuration matched the requested configuration.',
        'SYS069',
      );
      return;
    }
    const applied = () =>
      finish(
        world,
        host,
        job,
        unknown,
        'Successfully imported and applied Server Configuration Profile.',
        'SYS053',
      );
    const bios: AttrMap = new Map([...changes].filter(([fqdd]) => fqdd.startsWith('BIOS.')));
    const now: AttrMap = new Map([...changes].filter(([fqdd]) => !fqdd.startsWith('BIOS.')));
    mergeAttributes(host.scpAttributes, now);
    if (bios.size === 0) {
      applied();
      return;
    }
    mergeAttributes(host.scpPending, bios);
    if (opts.shutdownType === 'NoReboot') {
      finish(
        world,
        host,
        job,
        unknown,
        'Imported; BIOS changes are applied at the next server restart.',
        'SYS054',
      );
      return;
    }
    job.percent = 50;
    job.message = 'Applying configuration changes; the server is restarting.';
    world.events.emit('job-updated', { hostId: host.id, job });
    const off = world.events.on('host-up', ({ hostId: up }) => {
      if (up !== host.id) return;
      off();
      applied();
    });
    const reset =
      host.power !== 'On' ? 'On' : opts.shutdownType === 'Forced' ? 'ForceRestart' : 'GracefulRestart';
    resetHost(world, host.id, reset, 'Server Configuration Profile import');
  });
  return job;
}
