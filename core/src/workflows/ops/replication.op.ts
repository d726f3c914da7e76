import { type Actor, type Job, isTerminal } from '../../jobs/job.schema';
import { ZfsCommandOutputs } from '../../relay/zfs-commands';
import { REPLICA_TYPE, createProtectionGroupStore } from '../../replication/protection-group-store';
import { activeReplicationJobs, ReplicationRunningError } from '../../usecases/replicate-group';
import { checkRpoBreach } from '../../replication/rpo-alert';
import { RackOpsError, ValidationError } from '../../util/errors';
import { secondsBetween } from '../../util/duration';
import { buildJobReport } from '../job-report';
import { type Fact, formatBytes } from '../command-result';
import type { OpsDeps } from './ops-deps';
import { details, errorText, log } from './progress';
import { finishWithReport } from './report-finish';
import { consistencyOf, vmwareParams } from './replication-consistency';

const _SYSTEM: Actor = { kind: 'system', id: 'rackops' };

/** The group a replication job syncs: its target, by name. */
function groupName(job: Job): string {
  if (job.target.kind !== 'protection_group')
    throw new ValidationError('replication_sync targets a protection group');
  return job.target.id;
}

/**
 * Begin of `replication_sync`: the group as the Store holds it now (never as it was when the run was
 * scheduled), refused when unknown or paused; the state carries each command's params.
 */
export async function beginReplication(deps: OpsDeps, job: Job): Promise<Record<string, unknown>> {
  const name = groupName(job);
  const read = await createProtectionGroupStore(deps.store).get(name);
  if (!read) throw new RackOpsError('not_found', `protection group ${name} does not exist`);
  const g = read.value;
  if (g.state === 'paused')
    throw new RackOpsError('group_paused', `protection group ${name} is paused: nothing replicated`);
  // Two runs that raced past the chat's check: the older one goes on, this one stops before any command.
  const older = (await activeReplicationJobs(deps.store, name)).find((j) => j.id !== job.id);
  if (older && (older.createdAt < job.createdAt || (older.createdAt === job.createdAt && older.id < job.id)))
    throw new ReplicationRunningError(name, older.id);
  const pair = {
    group: g.name,
    sourceDataset: g.source.dataset,
    targetAppliance: g.target.appliance,
    targetDataset: g.target.dataset,
  };
  await log(
    deps,
    job.id,
    'info',
    `replicating ${g.name}: ${g.source.appliance}:${g.source.dataset} → ${g.target.appliance}:${g.target.dataset} (${g.transport} transport)`,
  );
  await details(deps, job.id, { phase: 'replicating', group: g.name });
  return {
    jobId: job.id,
    pg: {
      sourceAppliance: g.source.appliance,
      snapshot: { group: g.name, dataset: g.source.dataset },
      vmConsistent: g.vmConsistent,
      ...(g.vmConsistent ? { vmware: vmwareParams(g, job.id) } : {}),
      pair: { ...pair, transport: g.transport },
      prune: { ...pair, retention: g.retention },
    },
  };
}

/**
 * The replica on the target, recorded on the group (its lastReplica drives the RPO). A replayed run that
 * found the target already there (`up-to-date`) keeps the record of the run that sent it.
 */
export async function recordReplicaOp(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: true }> {
  const name = groupName(job);
  const r = raw as { snapshot?: unknown; replica?: unknown };
  const snap = ZfsCommandOutputs['zfs.snapshot'].parse(r.snapshot);
  const rep = ZfsCommandOutputs['zfs.replicate'].parse(r.replica);
  const existing = await deps.store.getRecord(REPLICA_TYPE, `${name}@${rep.snapshot}`);
  const consistency = consistencyOf(r as Record<string, unknown>);
  if (rep.kind === 'up-to-date' && existing) return { ok: true };
  await createProtectionGroupStore(deps.store).recordReplica(name, {
    snapshot: rep.snapshot,
    snapshotAt: snap.takenAt,
    completedAt: deps.clock.now().toISOString(),
    bytes: rep.bytes,
    incremental: rep.kind === 'incremental',
    seconds: rep.seconds,
    ...(consistency.quiesceFailed.length || consistency.vmConsistent
      ? { vmConsistent: consistency.vmConsistent, quiesceFailed: consistency.quiesceFailed }
      : {}),
  });
  if (consistency.note) await log(deps, job.id, 'warn', `replica ${rep.snapshot}: ${consistency.note}`);
  await details(deps, job.id, {
    phase: 'recorded',
    snapshot: rep.snapshot,
    kind: rep.kind,
    bytes: rep.bytes,
  });
  return { ok: true };
}

/** Which step a failed run stopped at: the first whose answer is missing from the state. */
function failedStep(r: Record<string, unknown>): string {
  if (r.pg === undefined) return 'begin';
  if (r.preflight === undefined) return 'preflight';
  const vmConsistent = (r.pg as { vmConsistent?: boolean }).vmConsistent === true;
  if (vmConsistent && r.quiesce === undefined) return 'quiesce (VMware snapshots)';
  if (r.snapshot === undefined) return 'snapshot';
  if (vmConsistent && r.released === undefined) return 'removing the VMware snapshots';
  if (r.estimate === undefined) return 'preflight (space for the send)';
  if (r.replica === undefined) return 'send/receive';
  return 'record or prune';
}

/** The space check's estimate against the target's room, as the report shows it (absent: nothing to say). */
function estimateFacts(raw: unknown): Fact[] {
  const p = ZfsCommandOutputs['zfs.preflight'].safeParse(raw);
  if (!p.success || !p.data.estimate) return [];
  const e = p.data.estimate;
  const size =
    e.atMost === undefined
      ? `~${formatBytes(e.bytes)}`
      : `${formatBytes(e.bytes)} to ${formatBytes(e.atMost)}`;
  const facts: Fact[] = [
    {
      title: 'Estimate',
      value: `${size} by ${e.method === 'referenced' ? "the snapshots' `referenced`" : `\`zfs ${e.method}\``}; ${formatBytes(p.data.target.available)} free on ${p.data.target.availableOn}`,
    },
  ];
  if (p.data.warning) facts.push({ title: 'Space', value: p.data.warning.slice(0, 500) });
  return facts;
}

/** What a completed run did, in a line and card facts. */
function describe(r: Record<string, unknown>): { summary: string; facts: Fact[] } {
  const rep = ZfsCommandOutputs['zfs.replicate'].parse(r.replica);
  const prune = ZfsCommandOutputs['zfs.prune'].safeParse(r.prune);
  const how =
    rep.kind === 'full'
      ? `full send of ${rep.snapshot}`
      : rep.kind === 'incremental'
        ? `increment ${rep.from ?? '?'} → ${rep.snapshot}`
        : `target already at ${rep.snapshot}`;
  const facts: Fact[] = [
    { title: 'Snapshot', value: rep.snapshot },
    { title: 'Transfer', value: rep.transport ? `${rep.kind} (${rep.transport})` : rep.kind },
    { title: 'Sent', value: `${formatBytes(rep.bytes)} in ${rep.seconds.toFixed(1)} s` },
  ];
  if (prune.success)
    facts.push({
      title: 'Pruned',
      value: `${prune.data.destroyedSource.length} on the source, ${prune.data.destroyedTarget.length} on the target; base kept: ${prune.data.common ?? 'none'}`,
    });
  const skipped = prune.success ? (prune.data.skipped ?? []) : [];
  if (skipped.length > 0)
    facts.push({
      title: 'Kept for a clone',
      value:
        `${skipped.map((x) => `${x.dataset}@${x.tag}`).join(', ')} (origin of a live test clone: zfs refuses to destroy it)`.slice(
          0,
          500,
        ),
    });
  facts.push(...estimateFacts(r.estimate));
  const consistency = consistencyOf(r);
  facts.push(...consistency.facts);
  const note = consistency.note ? `; ${consistency.note}` : '';
  return { summary: `${how}, ${formatBytes(rep.bytes)}${note}`, facts };
}

/** The end of `replication_sync`: completed when every step answered, else failed naming the step. */
export async function finishReplication(deps: OpsDeps, job: Job, raw: unknown): Promise<{ status: string }> {
  if (isTerminal(job.status)) return { status: job.status };
  const r = (raw ?? {}) as Record<string, unknown>;
  const error = r.error as { Error?: string; Cause?: string } | undefined;
  const problems = error ? [`${failedStep(r)} failed: ${errorText(error)}`] : [];
  // The cleanup after a failure could not remove the VMware snapshots either: say so, they grow.
  const releaseError = r.releaseError as { Error?: string; Cause?: string } | undefined;
  if (releaseError) problems.push(`removing the VMware snapshots failed: ${errorText(releaseError)}`);
  const outcome = problems.length > 0 ? 'failed' : 'completed';
  const command = outcome === 'completed' ? describe(r) : undefined;
  const report = buildJobReport({
    outcome,
    problems,
    hosts: [],
    ...(command ? { command } : {}),
    ...(job.startedAt
      ? { durationSeconds: secondsBetween(job.startedAt, deps.clock.now().toISOString()) }
      : {}),
  });
  await finishWithReport(deps, job, report, { phase: outcome });
  // A failed run may be what pushes the group past its RPO: say so now rather than at the next tick.
  if (outcome === 'failed' && job.target.kind === 'protection_group') {
    const g = await createProtectionGroupStore(deps.store).get(job.target.id);
    if (g) await checkRpoBreach(deps, g.value);
  }
  return { status: outcome };
}
