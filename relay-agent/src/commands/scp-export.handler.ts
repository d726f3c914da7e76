import { backupIdFor } from '@rackops/core/scp/backup-record';
import type { DeviceRegistry } from '../devices/device-registry';
import type { BackupStore } from '../scp/backup-store';
import { exportProfile, hostFacts, profileModel } from '../scp/export-profile';
import type { CommandHandler } from './command-context';

/**
 * scp.export — one export job per command (its JID kept in the ledger), stored as a backup with its record
 * (host, time, size, SHA-256, model and firmware at the time, who/why). The profile stays on-prem (it may hold
 * configuration secrets); only where it is, its size and SHA-256 travel in the result.
 */
export function createScpExportHandler(deps: {
  devices: DeviceRegistry;
  store: BackupStore;
  timeoutMs?: number;
}): CommandHandler<'scp.export'> {
  return async (params, ctx) => {
    const rf = deps.devices.idrac(ctx.target.id);
    const { jid, content } = await exportProfile(rf, ctx, {
      target: params.target,
      format: params.format,
      memoKey: 'jid',
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    });
    const facts = await hostFacts(rf);
    const model = profileModel(content) ?? facts.model;
    const takenAt = ctx.now();
    const saved = await deps.store.save(
      {
        id: backupIdFor(ctx.target.id, takenAt, jid),
        hostId: ctx.target.id,
        takenAt: takenAt.toISOString(),
        format: params.format,
        ...(model ? { model } : {}),
        firmware: facts.firmware,
        ...(params.by ? { by: params.by } : {}),
        reason: params.reason ?? (ctx.jobId ? `job ${ctx.jobId}` : 'scp export'),
        jobId: jid,
      },
      content,
    );
    return { file: saved.file, jobId: jid, bytes: saved.bytes, sha256: saved.sha256, backupId: saved.id };
  };
}
