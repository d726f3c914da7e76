import { z } from 'zod';
import { BackupId, BackupRecord } from '../scp/backup-record';

/** Diffs travel capped: a whole-profile change (another host's backup) is thousands of attributes. */
export const DIFF_LIMIT = 300;

const AttributeChange = z.object({ name: z.string(), from: z.string(), to: z.string() });
const NamedValue = z.object({ name: z.string(), value: z.string() });
export const ComponentDiffSchema = z.object({
  fqdd: z.string(),
  changed: z.array(AttributeChange),
  added: z.array(NamedValue),
  removed: z.array(NamedValue),
});
export const ProfileDiffSchema = z.object({
  components: z.array(ComponentDiffSchema),
  total: z.number().int(),
  /** More than DIFF_LIMIT attributes differ: `components` holds the first ones. */
  truncated: z.boolean().default(false),
});
export type ProfileDiffOutput = z.infer<typeof ProfileDiffSchema>;

export const ScpShutdownType = z.enum(['Graceful', 'Forced', 'NoReboot']);
export type ScpShutdownType = z.infer<typeof ScpShutdownType>;

/**
 * Server configuration backups. The profiles stay on-prem (they can hold configuration secrets); the cloud
 * sees records and attribute diffs. A backup is named by id, never by path.
 */
export const ScpCommandParams = {
  'scp.backups': z.object({ limit: z.number().int().positive().max(500).default(100) }),
  /** `against` absent: compare with a fresh export of the host (what a restore would change). */
  'scp.diff': z.object({
    backupId: BackupId,
    against: BackupId.optional(),
    /** `restore-preview`: the job card words the diff as what a restore would change (host → backup). */
    purpose: z.enum(['compare', 'restore-preview']).default('compare'),
  }),
  'scp.import': z.object({
    backupId: BackupId,
    shutdownType: ScpShutdownType.default('Graceful'),
    timeoutSeconds: z.number().int().positive().default(3600),
  }),
};

export const ScpCommandOutputs = {
  'scp.backups': z.object({ backups: z.array(BackupRecord), total: z.number().int() }),
  'scp.diff': z.object({ from: BackupId, to: z.string(), diff: ProfileDiffSchema }),
  'scp.import': z.object({
    backupId: BackupId,
    /** The host already matched the backup: nothing was imported. */
    alreadyApplied: z.boolean(),
    jobId: z.string().optional(),
    jobState: z.string().optional(),
    message: z.string().optional(),
    /** Attributes the import was to change (the diff from the host to the backup before it). */
    changes: z.number().int(),
    /** Re-exported after the import: every attribute of the backup has its value on the host. */
    verified: z.boolean(),
    remaining: ProfileDiffSchema,
  }),
};
