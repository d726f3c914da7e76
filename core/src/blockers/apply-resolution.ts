import type { Actor } from '../jobs/job.schema';
import type { Blocker } from '../inventory/inventory.schema';
import { RackOpsError } from '../util/errors';
import { MIGRATABLE, NEEDS_DECISION } from './classify';
import type { HostResolution, ResolutionOrder } from './resolution.schema';

export class ResolutionRejectedError extends RackOpsError {
  constructor(readonly problems: readonly string[]) {
    super('resolution_rejected', `the resolution does not resolve every blocker: ${problems.join('; ')}`);
  }
}

/** What the workflow does with a validated resolution. */
export interface AppliedResolution {
  skipHostIds: string[];
  /** VM ids to power off before maintenance mode and back on after, per host. */
  powerOff: Record<string, string[]>;
  hostOrder?: string[];
  batchSize?: number;
  forcedBy?: Actor;
  /** Human-readable lines for the console log and report. */
  notes: string[];
}

export interface ResolutionContext {
  /** Blockers per canonical host id, as stored at the pause. */
  blockers: Readonly<Record<string, readonly Blocker[]>>;
  /** Every host of the job (so a resolution for a host without blockers is still accepted). */
  hostIds: readonly string[];
  /** VMs per host that may be named (powered-off choices on VMs without blockers are allowed). */
  vmIdsByHost?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Check a resolution against the blockers and turn it into actions. Every blocker needing a decision on a
 * host that is not skipped must be answered by power_off, or by migrate where vMotion is still possible;
 * acknowledge is for warnings only; the vCenter appliance is never powered off.
 */
export function applyResolution(
  ctx: ResolutionContext,
  hosts: readonly HostResolution[],
  order: ResolutionOrder = {},
): AppliedResolution {
  const problems: string[] = [];
  const notes: string[] = [];
  const known = new Set(ctx.hostIds);
  const byHost = new Map(hosts.map((h) => [h.hostId, h]));
  for (const h of hosts) if (!known.has(h.hostId)) problems.push(`host ${h.hostId} is not part of this job`);
  for (const id of order.hostOrder ?? [])
    if (!known.has(id)) problems.push(`host ${id} in the order is unknown`);

  const skipHostIds: string[] = [];
  const powerOff: Record<string, string[]> = {};
  for (const hostId of ctx.hostIds) {
    const res = byHost.get(hostId);
    const blockers = ctx.blockers[hostId] ?? [];
    if (res?.skipHost) {
      skipHostIds.push(hostId);
      notes.push(`${hostId}: skipped by the operator`);
      continue;
    }
    const actions = new Map((res?.vms ?? []).map((v) => [v.vmId, v.action]));
    const blockingVms = new Set(blockers.map((b) => b.vmId));
    const allowed = new Set([...blockingVms, ...(ctx.vmIdsByHost?.[hostId] ?? [])]);
    for (const v of res?.vms ?? []) {
      if (!allowed.has(v.vmId)) problems.push(`${hostId}: VM ${v.vmId} is not on this host`);
    }
    for (const b of blockers) {
      const action = actions.get(b.vmId);
      const what = `${hostId}: ${b.vmName} (${b.reason})`;
      if (b.reason === 'vcenter_appliance' && action === 'power_off') {
        problems.push(
          `${what}: the vCenter appliance is never powered off; it migrates and its host goes last`,
        );
      } else if (action === 'power_off') {
        // fine: powering off resolves every reason
      } else if (action === 'migrate') {
        if (!MIGRATABLE.has(b.reason))
          problems.push(`${what}: cannot be migrated; power it off or skip the host`);
      } else if (NEEDS_DECISION(b)) {
        problems.push(
          action === 'acknowledge'
            ? `${what}: critical blockers cannot be acknowledged; power it off or skip the host`
            : `${what}: needs a decision`,
        );
      } else if (b.severity === 'warning') {
        notes.push(`${what}: warning acknowledged`);
      }
    }
    const off = [...actions].filter(([, a]) => a === 'power_off').map(([vmId]) => vmId);
    if (off.length > 0) {
      powerOff[hostId] = off;
      notes.push(`${hostId}: power off ${off.length} VM(s) during maintenance`);
    }
  }
  if (problems.length > 0) throw new ResolutionRejectedError(problems);
  return {
    skipHostIds,
    powerOff,
    hostOrder: order.hostOrder,
    batchSize: order.batchSize,
    forcedBy: order.forceBatchSizeBy,
    notes,
  };
}

/**
 * A scheduled job has nobody to ask: the maintenance window's policy decides. `skip_host` leaves out every
 * host with a blocker needing a decision; `fail` refuses to start. Warnings and the vCenter appliance never
 * stop a scheduled job (same reasoning as NEEDS_DECISION).
 */
export function resolveByPolicy(
  blockers: Readonly<Record<string, readonly Blocker[]>>,
  policy: 'skip_host' | 'fail',
): { hosts: HostResolution[]; failed?: string } {
  const hostsNeeding = Object.entries(blockers)
    .filter(([, bs]) => bs.some(NEEDS_DECISION))
    .map(([hostId]) => hostId)
    .sort();
  if (hostsNeeding.length === 0) return { hosts: [] };
  if (policy === 'fail') {
    return {
      hosts: [],
      failed: `critical blockers on ${hostsNeeding.join(', ')} and the window policy is fail`,
    };
  }
  return { hosts: hostsNeeding.map((hostId) => ({ hostId, skipHost: true, vms: [] })) };
}
