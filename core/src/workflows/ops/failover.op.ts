import { z } from 'zod';
import { FailoverParams } from '../../failover/failover.schema';
import type { Job } from '../../jobs/job.schema';
import { DrCommandOutputs } from '../../relay/dr-commands';
import { ZfsCommandOutputs, ZfsDrCommandOutputs } from '../../relay/zfs-commands';
import { createProtectionGroupStore } from '../../replication/protection-group-store';
import { RackOpsError, ValidationError } from '../../util/errors';
import { parseOrThrow } from '../../util/zod-errors';
import { VmTestResult } from './failover-test.op';
import type { OpsDeps } from './ops-deps';
import { details, errorText, log } from './progress';

type AslError = { Error?: string; Cause?: string };

function groupName(job: Job): string {
  if (job.target.kind !== 'protection_group')
    throw new ValidationError('failover targets a protection group');
  return job.target.id;
}

/** The datastore the promoted replica becomes at DR: one per group, named so only RackOps ever unmounts it. */
export const failoverDatastore = (group: string): string => `rackops-fo-${group}`;

/** Seconds from the replica's point in time to the failure (or the start): what an unplanned failover loses. */
export function lossWindowSeconds(snapshotAt: string, lostAt: string): number {
  return Math.max(0, Math.round((Date.parse(lostAt) - Date.parse(snapshotAt)) / 1000));
}

// Loose: later ops add to it (snapshot, pair, shutdown) and a re-parse must keep what they added.
export const Fo = z.looseObject({
  group: z.string(),
  mode: z.enum(['planned', 'unplanned']),
  sourceAppliance: z.string(),
  targetAppliance: z.string(),
  sourceVcenterId: z.string(),
  vcenterId: z.string(),
  sourceDatastore: z.string(),
  sourceDataset: z.string(),
  targetDataset: z.string(),
  datastore: z.string(),
  replica: z.object({ snapshot: z.string(), snapshotAt: z.string() }),
  /** Unplanned: the end of the loss window (the failure when given, else the job's start: "now"). */
  lostAt: z.string().optional(),
  params: FailoverParams,
});
export type Fo = z.infer<typeof Fo>;

/**
 * Begin of `failover`: the group as the Store holds it now (it must have a replica); the state carries every
 * later command's params. Nothing is read from the source here: an unplanned failover runs without it.
 */
export async function beginFailover(deps: OpsDeps, job: Job): Promise<Record<string, unknown>> {
  const name = groupName(job);
  const params = parseOrThrow(FailoverParams, job.params, 'failover params');
  const g = (await createProtectionGroupStore(deps.store).get(name))?.value;
  if (!g) throw new RackOpsError('not_found', `protection group ${name} does not exist`);
  if (!g.lastReplica)
    throw new RackOpsError('no_replica', `protection group ${name} has no replica on its target yet`);
  const fo: Fo = {
    group: name,
    mode: params.mode,
    sourceAppliance: g.source.appliance,
    targetAppliance: g.target.appliance,
    sourceVcenterId: g.source.vcenterId,
    vcenterId: g.target.vcenterId,
    sourceDatastore: g.source.datastore,
    sourceDataset: g.source.dataset,
    targetDataset: g.target.dataset,
    datastore: failoverDatastore(name),
    replica: { snapshot: g.lastReplica.snapshot, snapshotAt: g.lastReplica.snapshotAt },
    ...(params.mode === 'unplanned'
      ? { lostAt: params.failedAt ?? job.startedAt ?? deps.clock.now().toISOString() }
      : {}),
    params,
  };
  await log(
    deps,
    job.id,
    params.mode === 'planned' ? 'info' : 'warn',
    params.mode === 'planned'
      ? `planned failover of ${name} to ${g.target.vcenterId}: ${params.vms.length} VM(s) shut down at ${g.source.vcenterId} (power-off after ${params.shutdownTimeoutSeconds} s), a final sync, then the replica promoted`
      : `UNPLANNED failover of ${name} to ${g.target.vcenterId} (${params.reason}): from the newest replica ${g.lastReplica.snapshot}, the source is not contacted`,
  );
  await details(deps, job.id, {
    phase: params.mode === 'planned' ? 'shutting-down' : 'promoting',
    group: name,
    mode: params.mode,
    vms: params.vms.map((n) => ({ name: n, state: 'pending' })),
  });
  return {
    jobId: job.id,
    fo: {
      ...fo,
      snapshot: { group: name, dataset: g.source.dataset },
      pair: {
        group: name,
        sourceDataset: g.source.dataset,
        targetAppliance: g.target.appliance,
        targetDataset: g.target.dataset,
        transport: g.transport,
      },
      shutdown: params.vms.map((vm) => ({
        name: vm,
        vcenterId: g.source.vcenterId,
        params: {
          vcenterId: g.source.vcenterId,
          vmMoref: params.sourceMorefs[vm],
          timeoutSeconds: params.shutdownTimeoutSeconds,
        },
      })),
    },
  };
}

const ShutdownItem = z.object({
  name: z.string(),
  done: DrCommandOutputs['vm.guest-shutdown'].optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type ShutdownItem = z.infer<typeof ShutdownItem>;

export const shutdownLine = (s: ShutdownItem): string =>
  s.done
    ? s.done.how === 'powered-off-after-timeout'
      ? `powered off after the ${s.done.timeoutSeconds} s guest shutdown timeout`
      : s.done.how === 'powered-off-no-tools'
        ? 'powered off (no VMware Tools for a guest shutdown)'
        : s.done.how === 'already-off'
          ? 'already off'
          : 'guest shut down'
    : `not shut down: ${errorText(s.error as AslError)}`;

/**
 * Every source VM must be off before the final sync: one still running would write after it. Any VM that could
 * not be shut down stops the failover here, before anything at DR (the VMs already off stay off: named).
 */
export async function failoverShutdownCheck(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: true }> {
  const items = z.array(ShutdownItem).parse((raw as { shutdown?: unknown }).shutdown);
  for (const s of items)
    await log(deps, job.id, s.done ? 'info' : 'error', `${s.name} at the source: ${shutdownLine(s)}`);
  const failed = items.filter((s) => !s.done);
  if (failed.length > 0)
    throw new RackOpsError(
      'shutdown_failed',
      `${failed.map((s) => s.name).join(', ')} could not be shut down at the source: no final sync, nothing done at DR`,
    );
  await details(deps, job.id, { phase: 'final-sync' });
  return { ok: true };
}

/**
 * The replica to promote: the final sync's snapshot (planned: nothing lost) or the newest replica (unplanned:
 * the loss window runs from its point in time to the failure).
 */
export async function failoverPlan(deps: OpsDeps, job: Job, raw: unknown): Promise<Record<string, unknown>> {
  const state = z.looseObject({ fo: Fo }).parse(raw);
  const { fo } = state;
  const r = raw as { snapshot?: unknown; replica?: unknown };
  let chosen: { snapshot: string; snapshotAt: string; lossWindowS: number };
  if (fo.mode === 'planned') {
    const snap = ZfsCommandOutputs['zfs.snapshot'].parse(r.snapshot);
    const rep = ZfsCommandOutputs['zfs.replicate'].parse(r.replica);
    chosen = { snapshot: rep.snapshot, snapshotAt: snap.takenAt, lossWindowS: 0 };
  } else {
    const lossWindowS = lossWindowSeconds(fo.replica.snapshotAt, fo.lostAt ?? deps.clock.now().toISOString());
    chosen = { ...fo.replica, lossWindowS };
  }
  await log(
    deps,
    job.id,
    fo.mode === 'planned' ? 'info' : 'warn',
    fo.mode === 'planned'
      ? `final sync done: promoting ${fo.targetDataset}@${chosen.snapshot}; no data lost`
      : `promoting ${fo.targetDataset}@${chosen.snapshot} (taken ${chosen.snapshotAt}): writes of the last ${chosen.lossWindowS} s before the failure are not in it`,
  );
  if (fo.mode === 'planned' && (raw as { sourceReadonly?: unknown }).sourceReadonly !== undefined)
    await log(
      deps,
      job.id,
      'info',
      `source ${fo.sourceAppliance}:${fo.sourceDataset} set read-only before the final snapshot: a write there now cannot be lost to a reverse sync`,
    );
  await details(deps, job.id, {
    phase: 'promoting',
    snapshot: chosen.snapshot,
    snapshotAt: chosen.snapshotAt,
    lossWindowS: chosen.lossWindowS,
  });
  return {
    ...state,
    chosen,
    promote: { group: fo.group, dataset: fo.targetDataset, snapshot: chosen.snapshot },
  };
}

/** After the promotion: the datastore it becomes at DR and one item per VM (its `.vmx` there, its network). */
export async function failoverMountPlan(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<Record<string, unknown>> {
  const state = z.looseObject({ fo: Fo, promoted: ZfsDrCommandOutputs['zfs.promote'] }).parse(raw);
  const { fo, promoted } = state;
  if (!promoted.mountpoint)
    throw new RackOpsError('no_mountpoint', `the appliance did not say where ${fo.targetDataset} is mounted`);
  await details(deps, job.id, { phase: 'registering', datastore: fo.datastore });
  const p = fo.params;
  return {
    ...state,
    mount: {
      vcenterId: fo.vcenterId,
      hostMorefs: p.hostMorefs,
      name: fo.datastore,
      remoteHost: p.nfsServer,
      remotePath: promoted.mountpoint,
    },
    vms: p.vms.map((name) => ({
      name,
      vcenterId: fo.vcenterId,
      portGroup: p.networkMap[name] ?? p.portGroup,
      toolsTimeoutSeconds: p.toolsTimeoutSeconds,
      register: {
        vcenterId: fo.vcenterId,
        vmxPath: `[${fo.datastore}] ${name}/${name}.vmx`,
        name,
        resourcePoolMoref: p.resourcePoolMoref,
        ...(p.targetMorefs[name] ? { vmMoref: p.targetMorefs[name] } : {}),
      },
    })),
  };
}

export const vmResults = (raw: unknown): VmTestResult[] => {
  const parsed = z.array(VmTestResult).safeParse((raw as { results?: unknown } | undefined)?.results);
  return parsed.success ? parsed.data : [];
};

/** The report before the decision: each VM's state, the replica used and the loss window. */
export async function failoverReport(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: true }> {
  const r = raw as { error?: AslError; chosen?: { lossWindowS?: number } };
  const results = vmResults(raw);
  const up = results.filter((v) => v.ready).length;
  if (r.error) await log(deps, job.id, 'error', `failed over only in part: ${errorText(r.error)}`);
  await details(deps, job.id, {
    phase: 'failed-over',
    vms: results.map((v) => ({
      name: v.name,
      state: v.ready ? 'up' : v.vmMoref ? 'no-tools' : 'failed',
      ...(v.error ? { error: v.error } : {}),
    })),
    vmsUp: up,
    ...(r.error ? { error: errorText(r.error).slice(0, 500) } : {}),
  });
  await log(
    deps,
    job.id,
    'info',
    `${up} of ${results.length} VM(s) up at DR; waiting for Commit or Roll back`,
  );
  return { ok: true };
}
