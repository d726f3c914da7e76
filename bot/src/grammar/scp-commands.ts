import { BackupId } from '@rackops/core/scp/backup-record';
import { z } from 'zod';
import { def } from './def';

const hostId = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[\w.:@/-]+$/, 'letters, digits and . _ : @ / - only');

/** Server configuration profile (SCP) backups: take, list, compare, restore. */
export const SCP_COMMANDS = {
  scpExport: def({
    usage: 'scp export HOST',
    summary: 'back up the server configuration profile',
    examples: ['scp export ABC1234'],
    role: 'operator',
    args: z.object({ host: hostId }),
  }),
  backups: def({
    usage: 'backups HOST',
    summary: 'configuration backups of a host: time, size, firmware at the time, who/why',
    examples: ['backups ABC1234'],
    role: 'operator',
    details:
      'Asks the relay agent that keeps them (the profiles stay on-prem); the list arrives on the job card.',
    args: z.object({ host: hostId }),
  }),
  scpDiff: def({
    usage: 'scp diff HOST BACKUP [AGAINST]',
    summary: 'attributes that changed since a backup (or between two backups)',
    examples: ['scp diff ABC1234 ABC1234-20261206T101500Z-JID123456789012'],
    role: 'operator',
    details:
      'Without AGAINST the backup is compared with a fresh export of the host. Lists changed, added and removed ' +
      'attributes per component (FQDD).',
    args: z.object({ host: hostId, backup: BackupId, against: BackupId.optional() }),
  }),
  scpRestore: def({
    usage: 'scp restore HOST BACKUP [shutdown:graceful|forced|no-reboot] [confirm]',
    summary:
      'restore a configuration backup: preview first, then `confirm` (production needs a second person)',
    examples: [
      'scp restore ABC1234 ABC1234-20261206T101500Z-JID123456789012',
      'scp restore ABC1234 ABC1234-20261206T101500Z-JID123456789012 forced confirm',
    ],
    role: 'operator',
    details:
      'Without `confirm`: a preview of the attributes the restore would change, nothing else. With `confirm`: ' +
      'ImportSystemConfiguration (graceful shutdown by default; `forced`, or `no-reboot` to leave BIOS changes for ' +
      'the next restart), tracked to completion and verified by a re-export (a mismatch fails the job as ' +
      'scp_restore_unverified). A backup of another model or host is refused. Production hosts need an approver.',
    args: z.object({
      host: hostId,
      backup: BackupId,
      shutdown: z.enum(['graceful', 'forced', 'no-reboot']).optional(),
      confirm: z.boolean().optional(),
    }),
  }),
};
