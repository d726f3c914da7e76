import type { Job } from '../../jobs/job.schema';
import { CommandParams, type CommandKind } from '../../relay/commands';
import type { CommandTarget } from '../../relay/envelope';
import { ValidationError } from '../../util/errors';
import { parseOrThrow } from '../../util/zod-errors';
import {
  FORCED_POWER_ACTIONS,
  MediaMountParams,
  MediaUnmountParams,
  PowerParams,
  ScpBackupsParams,
  ScpDiffParams,
  ScpExportParams,
  ScpRestoreParams,
} from '../params';
import type { OpsDeps } from './ops-deps';
import { log, putStep } from './progress';

export interface SingleCommand {
  kind: CommandKind;
  target: CommandTarget;
  params: Record<string, unknown>;
}

/** The one relay command a simple job runs, validated from its params. Pure. */
export function commandForJob(job: Job): SingleCommand {
  const idrac = (): CommandTarget => {
    if (job.target.kind !== 'host') throw new ValidationError(`${job.type} targets a host (by service tag)`);
    return { type: 'idrac', id: job.target.id };
  };
  switch (job.type) {
    case 'power_operation': {
      const p = parseOrThrow(PowerParams, job.params, 'power parameters');
      // Confirmed by the bot; a hard power action also needs the job to say force.
      if (FORCED_POWER_ACTIONS.has(p.action) && !p.force)
        throw new ValidationError(`${p.action} cuts power without the OS: it needs force=true`);
      return {
        kind: 'host.power',
        target: idrac(),
        params: parseOrThrow(CommandParams['host.power'], { action: p.action }, 'power'),
      };
    }
    case 'virtual_media_mount':
      return {
        kind: 'media.insert',
        target: idrac(),
        params: parseOrThrow(MediaMountParams, job.params, 'media parameters'),
      };
    case 'virtual_media_unmount':
      return {
        kind: 'media.eject',
        target: idrac(),
        params: parseOrThrow(MediaUnmountParams, job.params, 'media parameters'),
      };
    case 'scp_export':
      return {
        kind: 'scp.export',
        target: idrac(),
        params: parseOrThrow(ScpExportParams, job.params, 'SCP parameters'),
      };
    case 'scp_backups':
      return {
        kind: 'scp.backups',
        target: idrac(),
        params: parseOrThrow(ScpBackupsParams, job.params, 'backup list'),
      };
    case 'scp_diff':
      return {
        kind: 'scp.diff',
        target: idrac(),
        params: parseOrThrow(ScpDiffParams, job.params, 'SCP diff'),
      };
    case 'scp_restore':
      return {
        kind: 'scp.import',
        target: idrac(),
        params: parseOrThrow(ScpRestoreParams, job.params, 'SCP restore'),
      };
    case 'inventory_sync': {
      if (job.target.kind === 'vcenter')
        return {
          kind: 'inventory.vcenter',
          target: { type: 'vcenter', id: job.target.id },
          params: CommandParams['inventory.vcenter'].parse(job.params),
        };
      if (job.target.kind === 'ome')
        return {
          kind: 'inventory.ome',
          target: { type: 'ome', id: job.target.id },
          params: CommandParams['inventory.ome'].parse(job.params),
        };
      if (job.target.kind === 'host')
        // `read: health` reads the server's hardware health instead of its firmware (`health host ID refresh`).
        return job.params.read === 'health'
          ? {
              kind: 'inventory.health',
              target: idrac(),
              params: parseOrThrow(
                CommandParams['inventory.health'],
                job.params.entries === undefined ? {} : { entries: job.params.entries },
                'health read parameters',
              ),
            }
          : { kind: 'inventory.idrac', target: idrac(), params: {} };
      throw new ValidationError('inventory sync targets a vCenter, an OME or a host');
    }
    default:
      throw new ValidationError(`${job.type} is not a single-command job`);
  }
}

export async function beginSingleCommand(deps: OpsDeps, job: Job): Promise<Record<string, unknown>> {
  const command = commandForJob(job);
  await putStep(deps, job.id, { key: 'command', name: command.kind, status: 'running' });
  await log(deps, job.id, 'info', `${command.kind} on ${command.target.type} ${command.target.id}`);
  return {
    jobId: job.id,
    ctx: { jobType: job.type, inCluster: false, hosts: [], hostMorefs: [], interactive: true },
    command,
  };
}
