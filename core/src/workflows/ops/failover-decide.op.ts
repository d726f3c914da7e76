import { z } from 'zod';
import { FailoverDecisionOutput, type FailoverResult } from '../../failover/failover.schema';
import { type Job, isTerminal } from '../../jobs/job.schema';
import { ZfsDrCommandOutputs } from '../../relay/zfs-commands';
import { createProtectionGroupStore } from '../../replication/protection-group-store';
import { secondsBetween } from '../../util/duration';
import type { Fact } from '../command-result';
import { buildJobReport } from '../job-report';
import { pause } from './blockers.op';
import { Fo, type ShutdownItem, shutdownLine, vmResults } from './failover.op';
import type { OpsDeps } from './ops-deps';
import { details, errorText, log } from './progress';
import { finishWithReport } from './report-finish';

type AslError = { Error?: string; Cause?: string };
const foOf = (raw: unknown): Fo => z.looseObject({ fo: Fo }).parse(raw).fo;

/** A failover's pause: which decision it waits for is in `details.pause`, where the decision use case reads it. */
export async function failoverPause(
  deps: OpsDeps,
  job: Job,
  req: { taskToken?: string; reason?: string; which?: unknown },
): Promise<{ paused: boolean }> {
  const which = z.enum(['decide', 'confirm-rollback']).parse(req.which);
  await details(deps, job.id, { pause: which });
  return pause(deps, job, {
    ...(req.taskToken ? { taskToken: req.taskToken } : {}),
    reason: req.reason ?? which,
    kind: 'operator',
  });
}

/**
 * *Commit*: the group's sites swap (the DR copy is the source from now on, the original its target), the change
 * kept in the group's history. Reverse replication is on when the original appliance answered after a planned
 * failover; after an unplanned one the original may hold writes the replica never had: they are kept in a
 * snapshot there and the group is left paused (a reverse sync would roll them back), said in the report.
 */
export async function failoverCommit(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<{ reversed: boolean; why: string }> {
  const fo = foOf(raw);
  const r = raw as {
    original?: unknown;
    sourceHandover?: unknown;
    preserved?: { snapshot?: string };
    originalError?: AslError;
    chosen?: { snapshot?: string };
  };
  const results = vmResults(raw);
  // Planned: the original answered and is read-only, the replica from now on (SourceHandover).
  const reachable =
    fo.mode === 'planned'
      ? r.original !== undefined && r.sourceHandover !== undefined
      : r.preserved !== undefined;
  const reversed = fo.mode === 'planned' && reachable;
  const why = reversed
    ? `the original ${fo.sourceAppliance}:${fo.sourceDataset} stays read-only, the replica from now on; reverse replication ${fo.targetAppliance} → ${fo.sourceAppliance} is on`
    : fo.mode === 'planned' && r.original !== undefined
      ? `the original ${fo.sourceAppliance}:${fo.sourceDataset} could not be made the replica (${errorText(r.originalError)}): the group is paused until it is (\`pg resume ${fo.group}\`)`
      : !reachable
        ? `the original appliance ${fo.sourceAppliance} did not answer (${errorText(r.originalError)}): the group is paused until it is back (\`pg resume ${fo.group}\`)`
        : `the original ${fo.sourceAppliance}:${fo.sourceDataset} may hold writes made after the replica: kept in its snapshot ${r.preserved?.snapshot ?? '?'}; the group is paused (reverse replication would roll them back) until someone decides`;
  const at = deps.clock.now().toISOString();
  await createProtectionGroupStore(deps.store).update(fo.group, (g) => {
    if (g.history.some((h) => h.jobId === job.id)) return g; // a replayed commit changes nothing twice
    const drMorefs = results.flatMap((v) => (v.vmMoref ? [v.vmMoref] : []));
    return {
      ...g,
      source: {
        vcenterId: fo.vcenterId,
        datastore: fo.datastore,
        appliance: fo.targetAppliance,
        dataset: fo.targetDataset,
      },
      target: {
        vcenterId: fo.sourceVcenterId,
        datastore: fo.sourceDatastore,
        appliance: fo.sourceAppliance,
        dataset: fo.sourceDataset,
      },
      members: g.members.kind === 'vms' && drMorefs.length > 0 ? { kind: 'vms', vms: drMorefs } : g.members,
      direction: g.direction === 'original' ? 'reversed' : 'original',
      state: reversed ? 'active' : 'paused',
      history: [
        ...g.history.slice(-49),
        {
          jobId: job.id,
          mode: fo.mode,
          at,
          by: job.createdBy,
          from: { vcenterId: fo.sourceVcenterId, appliance: fo.sourceAppliance, dataset: fo.sourceDataset },
          to: { vcenterId: fo.vcenterId, appliance: fo.targetAppliance, dataset: fo.targetDataset },
          snapshot: r.chosen?.snapshot ?? fo.replica.snapshot,
          reversed,
        },
      ],
    };
  });
  await log(
    deps,
    job.id,
    reversed ? 'info' : 'warn',
    `committed: ${fo.group} now replicates from ${fo.vcenterId}; ${why}`,
  );
  return { reversed, why };
}

/** *Roll back*: the DR copies to unregister (those registered), the datastore, the demotion if confirmed later. */
export async function failoverRollbackPlan(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<Record<string, unknown>> {
  const fo = foOf(raw);
  const vms = vmResults(raw).flatMap((v) =>
    v.vmMoref
      ? [
          {
            name: v.name,
            vcenterId: v.vcenterId,
            // A failback's original VM (targetMorefs) was registered before: powered off, never unregistered.
            ...(fo.params.targetMorefs[v.name] === v.vmMoref
              ? { powerOff: { vcenterId: v.vcenterId, vmMoref: v.vmMoref, state: 'off' } }
              : { unregister: { vcenterId: v.vcenterId, vmMoref: v.vmMoref, vmxPath: v.vmxPath } }),
          },
        ]
      : [],
  );
  const kept = vms.filter((v) => 'powerOff' in v).length;
  await log(
    deps,
    job.id,
    'info',
    `rolling back at DR: ${vms.length} VM(s) powered off and unregistered${kept > 0 ? ` (${kept} original(s) of a failback only powered off)` : ''}, ${fo.datastore} unmounted`,
  );
  await details(deps, job.id, { phase: 'rolling-back' });
  return {
    vms,
    unmount: { vcenterId: fo.vcenterId, hostMorefs: fo.params.hostMorefs, name: fo.datastore },
    demote: { group: fo.group, dataset: fo.targetDataset },
  };
}

/** What became of the source dataset's access (zfs.source-readonly), for the report; undefined: not touched. */
export function sourceAccessLine(r: Record<string, unknown>): { text: string; problem?: string } | undefined {
  // Refused as a replica, it was not made read-only either: nothing to undo by hand.
  if (r.sourceWritableError && JSON.stringify(r.sourceWritableError).includes('not_a_source'))
    return { text: 'left as it is (a replica, not a source)' };
  if (r.sourceWritableError)
    return {
      text: 'still read-only',
      problem: `source not writable again: ${errorText(r.sourceWritableError as AslError)} (\`zfs set readonly=off\` on it by hand)`,
    };
  if (r.sourceWritable) return { text: 'source writable again' };
  if (r.sourceHandover) return { text: 'source read-only: the replica from now on' };
  if (r.sourceReadonly) return { text: 'source set read-only (since the shutdown)' };
  return undefined;
}

const itemErrors = (list: unknown, what: string): string[] =>
  (Array.isArray(list) ? list : []).flatMap((u: { name?: string; error?: AslError }) =>
    u?.error ? [`${what} ${u.name ?? '?'}: ${errorText(u.error)}`] : [],
  );

/**
 * The end of every path, and always a report: what was promoted, the loss window, each VM, and where things
 * run now. A pause that ends undecided (cancel, timeout) leaves the group failed over (or rolled back at DR
 * with the DR data kept): the safe side, since nothing is discarded; the job fails so someone looks.
 */
export async function finishFailover(deps: OpsDeps, job: Job, raw: unknown): Promise<{ status: string }> {
  if (isTerminal(job.status)) return { status: job.status };
  const r = (raw ?? {}) as Record<string, unknown> & { error?: AslError; pauseEnd?: AslError };
  const fo = Fo.safeParse((r.fo as unknown) ?? null);
  const mode = fo.success ? fo.data.mode : 'planned';
  const chosen = r.chosen as { snapshot: string; snapshotAt: string; lossWindowS: number } | undefined;
  const decision = FailoverDecisionOutput.safeParse(r.decision).data?.decision;
  const confirm = FailoverDecisionOutput.safeParse(r.confirm).data?.decision;
  const promoted = ZfsDrCommandOutputs['zfs.promote'].safeParse(r.promoted).success;
  const commit = r.commit as { v?: { reversed: boolean; why: string } } | undefined;
  const results = vmResults(r);
  const up = results.filter((v) => v.ready).length;
  const problems: string[] = [];
  let outcome: FailoverResult['outcome'];
  let where: string;
  const ds = fo.success ? fo.data : undefined;
  if (!promoted) {
    outcome = 'failed';
    if (r.promoteUncertain === true) {
      problems.push(`the promotion failed: ${errorText(r.error)}`);
      where = `the promotion's outcome at ${ds?.targetAppliance} is not known: if ${ds?.targetDataset} was promoted anyway, replication into it is refused until it is discarded (its \`rackops:promoted\` property says so); nothing was registered or powered on at DR`;
    } else {
      problems.push(`failover stopped before the promotion: ${errorText(r.error)}`);
      where = `nothing changed at DR; the group replicates as before`;
    }
  } else if (decision === 'commit' && commit?.v) {
    outcome = 'committed';
    where = `${up} VM(s) run at ${ds?.vcenterId}; ${commit.v.why}`;
  } else if (decision === 'rollback' && confirm === 'rollback-confirmed' && r.demoted) {
    outcome = 'rolled-back';
    where = `the VMs are back to the source only; the DR changes were discarded and replication ${ds?.sourceAppliance} → ${ds?.targetAppliance} resumes`;
  } else if (decision === 'rollback' && r.unmounted) {
    outcome = 'rolled-back-kept';
    where = `nothing runs at DR; ${ds?.targetDataset} stays promoted with what changed there (replication into it is refused until it is discarded)`;
    if (confirm !== 'keep')
      problems.push(
        `the discard was not confirmed${r.demoteError ? `: ${errorText(r.demoteError as AslError)}` : ' (cancel or timeout)'}`,
      );
  } else {
    outcome = 'failed-over';
    where = `${up} VM(s) run at ${ds?.vcenterId} from ${ds?.targetDataset} (promoted); the source VMs stay as they were; replication is stopped`;
    problems.push(
      r.pauseEnd
        ? `no decision (${errorText(r.pauseEnd)}): left failed over, nothing discarded`
        : r.error || r.unmountError
          ? `failed over, then: ${errorText(r.error ?? (r.unmountError as AslError))}`
          : 'resumed without a decision: left failed over, nothing discarded',
    );
  }
  const access = sourceAccessLine(r);
  if (access)
    await log(deps, job.id, access.problem ? 'error' : 'info', `${ds?.sourceDataset}: ${access.text}`);
  if (access?.problem) problems.push(access.problem);
  for (const p of [...itemErrors(r.shutdown, 'shutdown'), ...itemErrors(r.unregistered, 'unregister')])
    problems.push(p);
  for (const v of results)
    if (!v.ready && outcome !== 'rolled-back') problems.push(`${v.name}: ${v.error ?? 'not up'}`);
  const lossWindowS = chosen?.lossWindowS ?? 0;
  const result: FailoverResult = {
    mode,
    snapshot: chosen?.snapshot ?? '',
    snapshotAt: chosen?.snapshotAt ?? (ds?.replica.snapshotAt as string) ?? deps.clock.now().toISOString(),
    lossWindowS,
    vmsUp: up,
    outcome,
    reversed: commit?.v?.reversed === true,
  };
  const shutdown = (Array.isArray(r.shutdown) ? r.shutdown : []) as ShutdownItem[];
  const facts: Fact[] = [
    { title: 'Mode', value: mode === 'planned' ? 'planned' : `unplanned: ${ds?.params.reason ?? ''}` },
    ...(chosen
      ? [
          {
            title: 'Replica promoted',
            value: `${ds?.targetDataset}@${chosen.snapshot} (${chosen.snapshotAt})`,
          },
        ]
      : []),
    {
      title: 'Data-loss window',
      value: mode === 'planned' ? '0 s (final sync after the shutdown)' : `${lossWindowS} s`,
    },
    ...shutdown.map((s) => ({ title: `${s.name} at the source`, value: shutdownLine(s) })),
    ...results.map((v) => ({
      title: v.name,
      value: v.ready ? 'up at DR, Tools heartbeat' : (v.error ?? 'failed'),
    })),
    ...(access ? [{ title: `Source ${ds?.sourceDataset}`, value: access.text }] : []),
    { title: 'Where things run', value: where },
  ];
  if (outcome === 'failed' && !promoted && mode === 'planned' && shutdown.some((s) => s.done))
    problems.push(
      `source VMs shut down for it stay off: ${shutdown
        .filter((s) => s.done)
        .map((s) => s.name)
        .join(', ')}`,
    );
  const ok = outcome === 'committed' || outcome === 'rolled-back';
  const report = buildJobReport({
    outcome: ok ? 'completed' : 'failed',
    problems,
    hosts: [],
    command: {
      summary: `failover ${outcome}: ${up} of ${results.length} VM(s) up at DR, loss window ${lossWindowS} s`,
      facts,
    },
    ...(job.startedAt
      ? { durationSeconds: secondsBetween(job.startedAt, deps.clock.now().toISOString()) }
      : {}),
  });
  await finishWithReport(deps, job, report, { phase: outcome, result, pause: null });
  return { status: report.outcome };
}
