import { z } from 'zod';
import { Blocker, FirmwareComponent, HaSettings } from '../../inventory/inventory.schema';
import { ExpectedComponent, FirmwarePackage, HostState, IdracJob } from '../../relay/commands';

/**
 * The shapes that travel in the workflow state and in JobOps job items. Parsed loosely (extra fields kept) so
 * a state written by one op passes through the next untouched.
 */
export const HostRef = z.object({
  hostId: z.string().min(1),
  name: z.string().optional(),
  hostMoref: z.string().optional(),
  vcenterId: z.string().optional(),
});
export type HostRef = z.infer<typeof HostRef>;

/** What the plan verifies, and whether its package needs the host's reboot (`splitByReboot`). */
export const ExpectedVersion = ExpectedComponent.extend({ rebootRequired: z.boolean().optional() });
export type ExpectedVersion = z.infer<typeof ExpectedVersion>;

/**
 * A planned host as the workflow state carries it: no firmware. Step Functions refuses a state over 256 KiB, and
 * a cluster's firmware (96 hosts × a dozen packages) is several times that: each host's packages and expected
 * versions are a job item ('plan', see host-plan.op.ts), loaded by the Map iteration that needs them.
 */
export const PlanRef = HostRef.extend({
  /** The host has firmware to stage: it needs its window. Spelled out for the one-host staging Map's Choice (ASL). */
  reboot: z.boolean().default(true),
  /** The host has firmware applied at once, no host reboot (an ApplyNow Map item). */
  hasImmediate: z.boolean().default(false),
  /** Wave (0-based) and its size: which `batch` the host is shown in. Hosts start in plan order, k at a time. */
  wave: z.number().int().nonnegative().optional(),
  waveSize: z.number().int().positive().optional(),
  /** Starts only once every other host is finished (the host running the vCenter appliance). */
  last: z.boolean().optional(),
});
export type PlanRef = z.infer<typeof PlanRef>;

/** What a host's Map iteration works with once its plan is loaded (host-plan): the ref plus its firmware. */
export const PlanHost = PlanRef.extend({
  /** Staged OnReset before any host leaves service; applied by the host's reboot; verified after it. */
  packages: z.array(FirmwarePackage),
  expected: z.array(ExpectedVersion),
  /** Applied by the iDRAC at once, no host reboot: run while the host serves VMs, never during its window. */
  immediate: z.array(FirmwarePackage).default([]),
  immediateExpected: z.array(ExpectedVersion).default([]),
});
export type PlanHost = z.infer<typeof PlanHost>;

export const PowerOffVm = z.object({
  vmId: z.string(),
  vmMoref: z.string(),
  vcenterId: z.string(),
  name: z.string(),
});
export type PowerOffVm = z.infer<typeof PowerOffVm>;

export const WorkflowContext = z.looseObject({
  jobType: z.string(),
  inCluster: z.boolean().default(false),
  cluster: z
    .object({ id: z.string(), name: z.string(), moref: z.string(), vcenterId: z.string() })
    .optional(),
  hosts: z.array(HostRef).default([]),
  hostMorefs: z.array(z.string()).default([]),
  interactive: z.boolean().default(true),
});
export type WorkflowContext = z.infer<typeof WorkflowContext>;

/** The plan in the workflow state: host refs only, one copy per Map that iterates them (see PlanRef). */
export const Plan = z.object({
  k: z.number().int(),
  batchSize: z.number().int(),
  hosts: z.array(PlanRef),
  /** Hosts with firmware that needs no reboot, last wave first (see windowPlan). */
  applyNow: z.array(PlanRef).default([]),
  /** Hosts with firmware to stage (OnReset) and only those: the rolling update's staging Map, no Choice per host. */
  stage: z.array(PlanRef).default([]),
});
export type Plan = z.infer<typeof Plan>;

/**
 * The HA relax and blocker scan answers: the rolling update's Prepare (a Parallel) puts them under `prepared`,
 * the one-host update's lone scan at the top.
 */
export function preparedAnswers(raw: unknown): { haRelax?: unknown; scan?: unknown } {
  const r = (raw ?? {}) as {
    haRelax?: unknown;
    scan?: unknown;
    prepared?: { haRelax?: unknown; scan?: unknown };
  };
  return { haRelax: r.prepared?.haRelax ?? r.haRelax, scan: r.prepared?.scan ?? r.scan };
}

/** `{Error, Cause}` as Catch puts it in the state. */
export const StepError = z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() });
export type StepError = z.infer<typeof StepError>;

export const TopState = z.looseObject({
  jobId: z.string(),
  ctx: WorkflowContext.optional(),
  decision: z.enum(['proceed', 'nothing', 'fail']).optional(),
  blockerAction: z.enum(['pause', 'fail', 'go']).optional(),
  plan: Plan.optional(),
  error: StepError.optional(),
  haRestoreError: StepError.optional(),
  haRestore: z.unknown().optional(),
  command: z.unknown().optional(),
  result: z.unknown().optional(),
});
export type TopState = z.infer<typeof TopState>;

const PreflightAnswers = {
  hostState: HostState.loose().optional(),
  lc: z
    .looseObject({ ready: z.boolean(), status: z.string(), staleJobs: z.array(IdracJob).default([]) })
    .optional(),
  fw: z
    .looseObject({
      server: z.looseObject({ systemId: z.number().int().optional(), model: z.string().optional() }),
      firmware: z.array(z.unknown()),
    })
    .optional(),
};

/** One host's preflight iteration state: the `host.preflight` answers under `read`, or a Catch'ed error. */
export const PreflightHostState = z
  .looseObject({
    jobId: z.string(),
    host: HostRef,
    read: z.looseObject(PreflightAnswers).optional(),
    error: StepError.optional(),
  })
  .transform(({ read, ...rest }) => ({ ...rest, ...read }));

export const PreflightHostResult = z.object({
  jobId: z.string(),
  hostId: z.string(),
  ok: z.boolean(),
  problems: z.array(z.string()),
  clearStaleJobs: z.boolean(),
});
export type PreflightHostResult = z.infer<typeof PreflightHostResult>;

/** Where one host is, as the report names it. */
export const HostPhase = z.enum([
  'pending',
  'skipped',
  'no_update',
  'in_progress',
  'updated',
  'failed',
  'not_started',
]);
export type HostPhase = z.infer<typeof HostPhase>;

/** Job item kind 'host', key = canonical host id. */
export const HostItem = z.looseObject({
  hostId: z.string(),
  name: z.string().optional(),
  phase: HostPhase,
  /** Final state in words ("updated and verified", "in maintenance mode, unreachable"...). */
  state: z.string().optional(),
  /** Not started: why (a cancel, another host's failure). */
  reason: z.string().optional(),
  /** Failed: where the host is now, as probed (maintenance mode, power, vCenter connection). */
  where: z.string().optional(),
  systemId: z.number().int().optional(),
  model: z.string().optional(),
  firmware: z.array(FirmwareComponent).optional(),
  problems: z.array(z.string()).optional(),
  packages: z.array(FirmwarePackage).optional(),
  powerOff: z.array(PowerOffVm).optional(),
  batchIndex: z.number().int().optional(),
  /** The vCenter appliance's host: how many times it has looked and waited for the others to finish. */
  waitLoops: z.number().int().nonnegative().optional(),
  /** Its window waits for its in-service firmware update (said once in the log). */
  claimWait: z.boolean().optional(),
  error: z.string().optional(),
});
export type HostItem = z.infer<typeof HostItem>;

/** Job item kind 'note', key 'ha': the cluster's HA settings before RackOps touched them. */
export const HaRecord = z.object({
  status: z.enum(['saved', 'relaxing', 'relaxed', 'restored']),
  clusterMoref: z.string(),
  vcenterId: z.string(),
  original: HaSettings,
  source: z.enum(['inventory', 'device']),
});
export type HaRecord = z.infer<typeof HaRecord>;

export const ScanOutput = z.object({
  hosts: z.array(z.object({ hostMoref: z.string(), hostId: z.string(), blockers: z.array(Blocker) })),
});
