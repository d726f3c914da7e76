import { createHash } from 'node:crypto';
import { BackupHostId, BackupId, type BackupRecord } from '@rackops/core/scp/backup-record';
import { RackOpsError } from '@rackops/core/util/errors';

/** A backup whose content no longer matches its record (changed, truncated or missing): never imported. */
export class BackupIntegrityError extends RackOpsError {
  constructor(id: string, why: string) {
    super('backup_corrupt', `backup ${id}: ${why}; it is not used`);
  }
}

export interface StoredBackup {
  record: BackupRecord;
  content: Buffer;
}

/** What a handler gives to be stored: the store computes size, SHA-256 and location itself. */
export type NewBackup = Omit<BackupRecord, 'bytes' | 'sha256' | 'location'>;

/**
 * Where SCP backups are kept (the port the scp.* handlers use). Two adapters: a folder of the agent's own
 * (folder-backup-store.ts) and an S3 bucket shared by every agent (s3-backup-store.ts). Both name a backup by
 * its validated id only, and check the content against the record's size and SHA-256 on every read.
 */
export interface BackupStore {
  /** Stores `content` under the record's id; `file` is where it went (a path, or an s3:// URL). */
  save(record: NewBackup, content: Buffer): Promise<BackupRecord & { file: string }>;
  /** The host's backups, newest first; unreadable records are skipped (reported through `onSkip`). */
  list(hostId: string, onSkip?: (name: string, why: string) => void): Promise<BackupRecord[]>;
  record(id: string): Promise<BackupRecord>;
  /** The record and its content, the content checked against the record's size and SHA-256. */
  read(id: string): Promise<StoredBackup>;
}

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The id, or a validation error naming it (bounded): a backup id is a token, never a path or key. */
export function checkedBackupId(id: string): string {
  if (!BackupId.safeParse(id).success)
    throw new RackOpsError('validation', `"${id.slice(0, 100)}" is not a backup id`);
  return id;
}

/** The host a backup id belongs to: ids are `<host>-<time>-<job>` and host ids have no "-" (backupIdFor). */
export function hostOfBackupId(id: string): string {
  const host = checkedBackupId(id).split('-')[0] ?? '';
  if (!BackupHostId.safeParse(host).success)
    throw new RackOpsError('validation', `"${id.slice(0, 100)}" does not start with a host id`);
  return host;
}

/** Refuses content whose size or SHA-256 differs from the record's. */
export function checkContent(record: BackupRecord, content: Buffer): void {
  if (content.length !== record.bytes || sha256Hex(content) !== record.sha256)
    throw new BackupIntegrityError(
      record.id,
      `its profile does not match the recorded SHA-256 (${record.sha256.slice(0, 12)}…)`,
    );
}
