import { DIFF_LIMIT } from '@rackops/core/relay/scp-commands';
import { capDiff } from '@rackops/core/scp/diff-cap';
import { restoreDiff } from '@rackops/core/scp/profile-diff';
import { parseProfile } from '@rackops/core/scp/profile.schema';
import { RackOpsError } from '@rackops/core/util/errors';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceTimeoutError } from '../http/errors';
import { importScp } from '../redfish/scp-import';
import type { BackupStore } from '../scp/backup-store';
import { exportProfile, hostFacts, profileModel } from '../scp/export-profile';
import type { CommandHandler } from './command-context';
import { pollBackoff } from './poll-backoff';
import { hostBackup } from './scp-backups.handler';

const DONE = new Set(['Completed', 'CompletedWithErrors', 'Failed']);

/**
 * scp.import — restores a backup onto its host. Refused before anything is sent when the backup is of another
 * model or host, or its SHA-256 no longer matches. Convergent: the host is exported and compared first, and a
 * host that already matches is left alone; the import's JID is kept in the ledger, so a resumed command tracks
 * the job it started instead of importing again. The result is verified by a second export.
 */
export function createScpImportHandler(deps: {
  devices: DeviceRegistry;
  store: BackupStore;
}): CommandHandler<'scp.import'> {
  return async (params, ctx) => {
    const rf = deps.devices.idrac(ctx.target.id);
    const id = params.backupId;
    const backup = await deps.store.read(id);
    const backupModel = backup.record.model ?? profileModel(backup.content);
    const hostModel = (await hostFacts(rf)).model;
    if (!backupModel || !hostModel)
      throw new RackOpsError(
        'scp_model_unknown',
        `the model of backup ${id} or of ${ctx.target.id} is unknown; not restoring`,
      );
    if (backupModel !== hostModel)
      throw new RackOpsError(
        'scp_model_mismatch',
        `backup ${id} was taken from a ${backupModel}; ${ctx.target.id} is a ${hostModel}: a profile is only restored onto the model it came from`,
      );
    await hostBackup(deps.store, ctx.target.id, id);
    const wanted = parseProfile(backup.content.toString('utf8'));
    const exportNow = async (memoKey: string) =>
      parseProfile(
        (await exportProfile(rf, ctx, { target: 'ALL', format: 'JSON', memoKey })).content.toString('utf8'),
      );

    let jid = ctx.memo.get<string>('importJid');
    let changes = ctx.memo.get<number>('changes') ?? 0;
    if (!jid) {
      const before = restoreDiff(await exportNow('preJid'), wanted);
      if (before.total === 0)
        return {
          backupId: id,
          alreadyApplied: true,
          changes: 0,
          verified: true,
          remaining: capDiff(before, DIFF_LIMIT),
        };
      changes = before.total;
      ctx.memo.set('changes', changes);
      await ctx.progress(`importing ${changes} attribute change(s) from ${id} (${params.shutdownType})`);
      jid = await importScp(rf, backup.content.toString('utf8'), params.shutdownType);
      ctx.memo.set('importJid', jid);
    }

    const timeoutMs = params.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const delay = pollBackoff(ctx.pollIntervalMs);
    let job = await rf.job(jid);
    while (!DONE.has(job.JobState)) {
      if (Date.now() > deadline) throw new DeviceTimeoutError(`${rf.device} SCP import ${jid}`, timeoutMs);
      await ctx.progress(
        `SCP import ${jid}: ${job.JobState} ${job.PercentComplete ?? 0}% ${job.Message ?? ''}`.trim(),
      );
      await ctx.sleep(delay());
      job = await rf.job(jid);
    }
    if (job.JobState === 'Failed')
      throw new RackOpsError('scp_import_failed', `SCP import ${jid} failed: ${job.Message ?? 'no message'}`);

    const remaining = restoreDiff(await exportNow('postJid'), wanted);
    return {
      backupId: id,
      alreadyApplied: false,
      jobId: jid,
      jobState: job.JobState,
      ...(job.Message ? { message: job.Message } : {}),
      changes,
      verified: remaining.total === 0,
      remaining: capDiff(remaining, DIFF_LIMIT),
    };
  };
}
