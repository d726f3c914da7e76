import { z } from 'zod';
import { Actor } from '../jobs/job.schema';

/**
 * What an operator decides for one VM that blocks a host's maintenance mode.
 * - power_off: RackOps powers the VM off before maintenance mode and back on after the host is done.
 * - migrate: the operator accepts that DRS moves it (or has removed the cause, e.g. ejected the ISO);
 *   RackOps does nothing to the VM itself. Not allowed for blockers that make vMotion impossible.
 * - acknowledge: proceed as is; only for warnings.
 */
export const VmAction = z.enum(['power_off', 'migrate', 'acknowledge']);
export type VmAction = z.infer<typeof VmAction>;

export const VmResolution = z.object({
  vmId: z.string().min(1).max(200),
  vmName: z.string().max(200).optional(),
  action: VmAction,
  /** Why the operator chose it (shown in the report and the audit log). */
  reason: z.string().max(500).optional(),
});
export type VmResolution = z.infer<typeof VmResolution>;

/** The decision for one host, keyed by the canonical host id (the Dell service tag). */
export const HostResolution = z.object({
  hostId: z.string().min(1).max(200),
  /** Leave this host out of the rollout entirely: no staging, no maintenance mode, no reboot. */
  skipHost: z.boolean().default(false),
  vms: z.array(VmResolution).max(500).default([]),
});
export type HostResolution = z.infer<typeof HostResolution>;

/**
 * One resolution for a paused job, as the blocker wizard card submits it. The resume use-case stores one
 * 'resolution' job item per host (`store.putJobItem(jobId, 'resolution', hostId, HostResolution)`) and the
 * host order / batch size as one item under the key {@link RESOLUTION_ORDER_KEY}.
 */
export const Resolution = z
  .object({
    jobId: z.string().min(1),
    hosts: z.array(HostResolution).max(1000),
    /** Update order by canonical host id; hosts not named keep the planner's order after the named ones. */
    hostOrder: z.array(z.string().min(1)).max(1000).optional(),
    /** Hosts out of service at once; never above the planner's k unless forced by a named person. */
    batchSize: z.number().int().positive().max(1000).optional(),
    /** A named person who accepts a batch size above k (four-eyes is the bot's business). */
    forceBatchSizeBy: Actor.optional(),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    for (const h of r.hosts) {
      if (seen.has(h.hostId)) ctx.addIssue({ code: 'custom', message: `host ${h.hostId} appears twice` });
      seen.add(h.hostId);
    }
    if (r.hostOrder && new Set(r.hostOrder).size !== r.hostOrder.length) {
      ctx.addIssue({ code: 'custom', path: ['hostOrder'], message: 'a host appears twice in the order' });
    }
    if (r.forceBatchSizeBy && r.forceBatchSizeBy.kind !== 'user') {
      ctx.addIssue({ code: 'custom', path: ['forceBatchSizeBy'], message: 'only a named person may force' });
    }
  });
export type Resolution = z.infer<typeof Resolution>;

/** Job item key (kind 'resolution') holding the order and batch size part of a Resolution. */
export const RESOLUTION_ORDER_KEY = '_order';

export const ResolutionOrder = z.object({
  hostOrder: z.array(z.string()).optional(),
  batchSize: z.number().int().positive().optional(),
  forceBatchSizeBy: Actor.optional(),
});
export type ResolutionOrder = z.infer<typeof ResolutionOrder>;

/** What the resume use-case sends with SendTaskSuccess to the paused workflow. */
export const ResumeTaskOutput = z.object({
  resolutionId: z.string().optional(),
  /** A named person resumed without a resolution (force). */
  forcedBy: Actor.optional(),
  resolutions: z.array(HostResolution).default([]),
});
export type ResumeTaskOutput = z.infer<typeof ResumeTaskOutput>;
