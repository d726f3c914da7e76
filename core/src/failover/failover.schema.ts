import { z } from 'zod';
import { IsoTime } from '../jobs/job.schema';
import { NfsServer, PortGroupName, VsphereMoref } from '../relay/dr-commands';
import { DrVmName } from './failover-test.schema';

/**
 * `planned`: the source is up; its VMs are shut down and a final sync runs first, so no write is lost.
 * `unplanned`: the source (appliance or site) may be unreachable; no shutdown, no final sync, the newest replica
 * is promoted and the report states the data-loss window. Admin only, with a reason.
 */
export const FailoverMode = z.enum(['planned', 'unplanned']);
export type FailoverMode = z.infer<typeof FailoverMode>;

/**
 * What a person says at the failover's pause. `commit`: the group's direction is swapped and reverse
 * replication set up. `rollback`: the DR copies are powered off and unregistered, the datastore unmounted; the
 * workflow then pauses again. `rollback-confirmed` (the second confirmation, only at that second pause): the
 * DR dataset's changes are discarded and the original direction resumes. `keep` at the second pause: the DR
 * dataset is left promoted as it is (nothing discarded; replication stays stopped until someone decides).
 */
export const FailoverDecision = z.enum(['commit', 'rollback', 'rollback-confirmed', 'keep']);
export type FailoverDecision = z.infer<typeof FailoverDecision>;

/** The task-token output a decision sends into the paused workflow. */
export const FailoverDecisionOutput = z.object({
  resolutionId: z.string().min(1).max(100),
  decision: FailoverDecision,
  resolutions: z.array(z.never()).default([]),
});
export type FailoverDecisionOutput = z.infer<typeof FailoverDecisionOutput>;

/** Which decisions each pause accepts: the first asks Commit | Roll back, the second confirms the discard. */
export const FAILOVER_PAUSES = {
  decide: ['commit', 'rollback'],
  'confirm-rollback': ['rollback-confirmed', 'keep'],
} as const satisfies Record<string, readonly FailoverDecision[]>;
export type FailoverPause = keyof typeof FAILOVER_PAUSES;

export const FailoverReason = z.string().trim().min(3).max(300);

/**
 * `failover` job params, modelled on the test failover's. VMs are named as their directories and `.vmx` files
 * are on the datastore; `sourceMorefs` names each VM on the source vCenter for the guest shutdown (required
 * for a planned failover: a VM the source cannot shut down would keep writing after the final sync).
 */
export const FailoverParams = z
  .object({
    mode: FailoverMode.default('planned'),
    /** Why: required for an unplanned failover (audited, on the report). */
    reason: FailoverReason.optional(),
    vms: z.array(DrVmName).min(1).max(50),
    sourceMorefs: z.record(DrVmName, VsphereMoref).default({}),
    /**
     * A failback: VMs still registered at the target site (the originals, off since the failover that moved
     * them away), used there as they are instead of registered a second time (vSphere refuses a name twice).
     */
    targetMorefs: z.record(DrVmName, VsphereMoref).default({}),
    resourcePoolMoref: VsphereMoref,
    /** The DR hosts the promoted dataset is mounted on (every host the VMs may run on). */
    hostMorefs: z.array(VsphereMoref).min(1).max(64),
    /** The target appliance's NFS address as the DR hosts reach it. */
    nfsServer: NfsServer,
    /** The DR port group every NIC goes to, unless `networkMap` names one for the VM. */
    portGroup: PortGroupName.default('VM Network'),
    /** Per VM: the DR port group its NICs go to. */
    networkMap: z.record(DrVmName, PortGroupName).default({}),
    /** Guest shutdown at the source, then a power-off after this long (named in the report). */
    shutdownTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
    toolsTimeoutSeconds: z.number().int().min(0).max(3600).default(300),
    /** Unplanned only: when the source failed (the loss window runs to it); the job's start when absent. */
    failedAt: IsoTime.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.mode === 'unplanned' && !p.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'an unplanned failover needs a reason' });
    if (p.mode === 'planned') {
      const missing = p.vms.filter((v) => !p.sourceMorefs[v]);
      if (missing.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['sourceMorefs'],
          message: `a planned failover shuts the source VMs down: no source moref for ${missing.join(', ')}`,
        });
    }
    if (p.mode === 'planned' && p.failedAt)
      ctx.addIssue({ code: 'custom', path: ['failedAt'], message: 'failedAt is for an unplanned failover' });
    for (const v of [
      ...Object.keys(p.networkMap),
      ...Object.keys(p.sourceMorefs),
      ...Object.keys(p.targetMorefs),
    ])
      if (!p.vms.includes(v))
        ctx.addIssue({ code: 'custom', path: ['vms'], message: `${v} is mapped but not failed over` });
  });
export type FailoverParams = z.infer<typeof FailoverParams>;
export type FailoverParamsInput = z.input<typeof FailoverParams>;

/** The job's result (in `details.result` once it ends; on the report too). */
export const FailoverResult = z.object({
  mode: FailoverMode,
  /** The replica snapshot promoted at DR. */
  snapshot: z.string(),
  snapshotAt: IsoTime,
  /** Unplanned: seconds between the replica's snapshot and the failure (or the start); planned: 0. */
  lossWindowS: z.number().nonnegative(),
  vmsUp: z.number().int().nonnegative(),
  /**
   * `rolled-back-kept`: rolled back at DR but the discard not confirmed (the DR dataset stays promoted);
   * `failed-over`: no decision came (cancel, timeout): left running at DR.
   */
  outcome: z.enum(['committed', 'rolled-back', 'rolled-back-kept', 'failed-over', 'failed']),
  reversed: z.boolean(),
});
export type FailoverResult = z.infer<typeof FailoverResult>;
