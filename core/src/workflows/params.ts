import { z } from 'zod';
import { Actor } from '../jobs/job.schema';
import { CommandParams } from '../relay/commands';

/** Parameters of a rolling cluster update or a one-host firmware update (job.params). */
export const HostUpdateParams = z.object({
  /** Operator's order by canonical host id, and batch size (never above k unless forcedBy names a person). */
  hostOrder: z.array(z.string()).optional(),
  batchSize: z.number().int().positive().optional(),
  forcedBy: Actor.optional(),
  /** Hosts the operator leaves out from the start. */
  skipHostIds: z.array(z.string()).default([]),
  /** Default: a failed host stops further batches. */
  continueOnFailure: z.boolean().default(false),
  /** Stale iDRAC jobs at preflight: clear them, or fail the job (default: fail, a human should look). */
  staleJobs: z.enum(['clear', 'fail']).default('fail'),
  /** Scheduled jobs have nobody to ask: the window's policy decides what blockers do. */
  blockerPolicy: z.enum(['skip_host', 'fail']).default('skip_host'),
  /** Pause for an operator on blockers; false for scheduled / window jobs. Default: not scheduled. */
  interactive: z.boolean().optional(),
  /** Spare capacity kept above demand while hosts are out. */
  headroom: z.number().min(0).max(1).default(0.1),
  /** firmware_update outside a cluster: no maintenance mode. Default: in a cluster → true. */
  maintenance: z.boolean().optional(),
  enterMaintenanceSeconds: z.number().int().positive().default(1800),
  rebootSeconds: z.number().int().positive().default(3600),
  /** Stop after the plan: report what would be updated, touch nothing. */
  dryRun: z.boolean().default(false),
  /** Catalog URL for this job (else the source's default). */
  catalogUrl: z.string().url().optional(),
  /** Only these hosts of the cluster (what a window's previous occurrence left; the catalog re-checks them). */
  onlyHostIds: z.array(z.string()).optional(),
  /** The maintenance window occurrence that started the job: no host starts too close to its end. */
  window: z
    .object({
      windowId: z.string().min(1),
      start: z.iso.datetime({ offset: true }),
      end: z.iso.datetime({ offset: true }),
      /** Expected out-of-service seconds of one host (measured earlier, else the documented default). */
      hostSeconds: z.number().positive(),
      /** The guard's least margin in seconds, when not the documented one (a time-scaled lab). */
      marginS: z.number().positive().optional(),
    })
    .optional(),
});
export type HostUpdateParams = z.infer<typeof HostUpdateParams>;

/** Power actions that cut power without asking the OS: only when the job says force. */
export const FORCED_POWER_ACTIONS = new Set([
  'ForceOff',
  'ForceRestart',
  'PowerCycle',
  'Nmi',
  'PushPowerButton',
]);

export const PowerParams = z.object({
  action: CommandParams['host.power'].shape.action,
  force: z.boolean().default(false),
});

export const MediaMountParams = CommandParams['media.insert'];
export const MediaUnmountParams = CommandParams['media.eject'];
export const ScpExportParams = CommandParams['scp.export'];
export const ScpBackupsParams = CommandParams['scp.backups'];
export const ScpDiffParams = CommandParams['scp.diff'];
export const ScpRestoreParams = CommandParams['scp.import'];
