import { z } from 'zod';

/** A backup id: the agent's file names are made from it, so it is a strict token, never a path. */
export const BackupId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,95}$/, 'a backup id is letters, digits, "-" and "_" (at most 96)');
export type BackupId = z.infer<typeof BackupId>;

/** Service tags (the canonical host id) are 7 alphanumerics on Dell; the lab uses longer test tags. */
export const BackupHostId = z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'a host id is letters and digits');

/**
 * One stored SCP export. The content sits next to the record; `sha256` and `bytes` are checked whenever it is
 * read back, so a changed or truncated file is refused instead of imported.
 */
export const BackupRecord = z.object({
  id: BackupId,
  hostId: BackupHostId,
  takenAt: z.iso.datetime(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.enum(['JSON', 'XML']),
  /** Server model at export time: a restore onto another model is refused. */
  model: z.string().max(200).optional(),
  /** BIOS / iDRAC firmware at export time, when known. */
  firmware: z.record(z.string().max(100), z.string().max(100)).default({}),
  /** Who asked for it and why ("before update of cluster lab-a", "scp export"). */
  by: z.string().max(200).optional(),
  reason: z.string().max(500).optional(),
  /** Where the content is, for the operator ("agent relay-1: /var/lib/…"); never used as a path. */
  location: z.string().max(1000),
  /** The iDRAC job that exported it. */
  jobId: z.string().max(100).optional(),
});
export type BackupRecord = z.infer<typeof BackupRecord>;

/** A backup id from its host, export time and job: sortable by time, unique per export job. */
export function backupIdFor(hostId: string, takenAt: Date, jobId: string): string {
  const t = takenAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const job = jobId.replace(/[^A-Za-z0-9]/g, '').slice(-24);
  return BackupId.parse(`${hostId}-${t}-${job}`);
}

/** Newest first. */
export function sortBackups(records: readonly BackupRecord[]): BackupRecord[] {
  return [...records].sort((a, b) => b.takenAt.localeCompare(a.takenAt) || b.id.localeCompare(a.id));
}
