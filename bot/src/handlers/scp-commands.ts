import { resolveHost } from '@rackops/core/usecases/targets';
import type { ArgsOf } from '../grammar/commands';
import type { Turn } from '../runtime';
import { submitJob } from './job-commands';
import { say } from './reply';

const SHUTDOWN = { graceful: 'Graceful', forced: 'Forced', 'no-reboot': 'NoReboot' } as const;

/** The backups live on the relay agent (profiles stay on-prem): listing is a one-command job, its card the list. */
export async function backups(turn: Turn, args: ArgsOf<'backups'>): Promise<string> {
  const target = await resolveHost(turn.rt.store, args.host, turn.rt.config.productionClusters);
  return submitJob(turn, {
    type: 'scp_backups',
    target: { kind: 'host', id: target.id },
    params: {},
    production: false,
  });
}

export async function scpDiff(turn: Turn, args: ArgsOf<'scpDiff'>): Promise<string> {
  const target = await resolveHost(turn.rt.store, args.host, turn.rt.config.productionClusters);
  return submitJob(turn, {
    type: 'scp_diff',
    target: { kind: 'host', id: target.id },
    params: { backupId: args.backup, ...(args.against ? { against: args.against } : {}) },
    production: false,
  });
}

/**
 * Without `confirm` only a preview runs (a diff from the host as it is to the backup): it changes nothing, so no
 * four-eyes. With `confirm` the restore is a job like any change to a server: production waits for an approver.
 */
export async function scpRestore(turn: Turn, args: ArgsOf<'scpRestore'>): Promise<string> {
  const target = await resolveHost(turn.rt.store, args.host, turn.rt.config.productionClusters);
  const host = { kind: 'host' as const, id: target.id };
  if (!args.confirm) {
    await say(
      turn,
      `Preview only: comparing ${target.id} with ${args.backup}. Nothing is changed until you add \`confirm\` (a clustered host that restarts for the restore goes into maintenance mode first).`,
    );
    return submitJob(turn, {
      type: 'scp_diff',
      target: host,
      params: { backupId: args.backup, purpose: 'restore-preview' },
      production: false,
    });
  }
  return submitJob(turn, {
    type: 'scp_restore',
    target: host,
    params: { backupId: args.backup, shutdownType: SHUTDOWN[args.shutdown ?? 'graceful'] },
    production: target.production,
  });
}
