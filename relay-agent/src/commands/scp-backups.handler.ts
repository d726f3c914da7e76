import { DIFF_LIMIT } from '@rackops/core/relay/scp-commands';
import { capDiff } from '@rackops/core/scp/diff-cap';
import { diffProfiles } from '@rackops/core/scp/profile-diff';
import { parseProfile } from '@rackops/core/scp/profile.schema';
import { RackOpsError } from '@rackops/core/util/errors';
import type { DeviceRegistry } from '../devices/device-registry';
import type { BackupStore, StoredBackup } from '../scp/backup-store';
import { exportProfile } from '../scp/export-profile';
import type { CommandHandler } from './command-context';

/** scp.backups — the target host's backups on this agent, newest first (records only, never content). */
export function createScpBackupsHandler(store: BackupStore): CommandHandler<'scp.backups'> {
  return async (params, ctx) => {
    const all = await store.list(ctx.target.id, (name, why) => ctx.log.warn({ name, why }, 'backup skipped'));
    return { backups: all.slice(0, params.limit), total: all.length };
  };
}

/** The backup, which must be this host's and a JSON export (XML profiles are stored but not compared). */
export async function hostBackup(store: BackupStore, hostId: string, id: string): Promise<StoredBackup> {
  const b = await store.read(id);
  if (b.record.hostId !== hostId)
    throw new RackOpsError('scp_other_host', `backup ${id} is of host ${b.record.hostId}, not ${hostId}`);
  if (b.record.format !== 'JSON')
    throw new RackOpsError(
      'scp_not_json',
      `backup ${id} is an XML export; only JSON exports can be compared or restored`,
    );
  return b;
}

/** scp.diff — what differs from a backup to another one, or to the host as it is now (a fresh export). */
export function createScpDiffHandler(deps: {
  devices: DeviceRegistry;
  store: BackupStore;
}): CommandHandler<'scp.diff'> {
  return async (params, ctx) => {
    const from = await hostBackup(deps.store, ctx.target.id, params.backupId);
    let to: Buffer;
    if (params.against) to = (await hostBackup(deps.store, ctx.target.id, params.against)).content;
    else {
      const rf = deps.devices.idrac(ctx.target.id);
      to = (await exportProfile(rf, ctx, { target: 'ALL', format: 'JSON', memoKey: 'jid' })).content;
    }
    const d = diffProfiles(parseProfile(from.content.toString('utf8')), parseProfile(to.toString('utf8')));
    return { from: params.backupId, to: params.against ?? 'current', diff: capDiff(d, DIFF_LIMIT) };
  };
}
