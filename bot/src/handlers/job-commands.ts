import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import type { JobTarget, JobType } from '@rackops/core/jobs/job.schema';
import { cancelJob } from '@rackops/core/usecases/cancel-job';
import { loadClusterPolicy, withClusterDefaults } from '@rackops/core/usecases/cluster-policy';
import { type CreateJobOutcome, createJob } from '@rackops/core/usecases/create-job';
import { startHealthReads } from '@rackops/core/usecases/health-reads';
import { resolveCluster, resolveHost } from '@rackops/core/usecases/targets';
import { NotFoundError } from '@rackops/core/util/errors';
import { newId } from '@rackops/core/util/ids';
import { type ConfirmOp, renderConfirm } from '../cards/confirm-card';
import type { ArgsOf } from '../grammar/commands';
import { hasRole, refusal } from '../rbac';
import { type Turn, cardKeyOf } from '../runtime';
import { parseAt } from '../time-spec';
import { postCard, say } from './reply';

const OUTCOME_TEXT: Record<CreateJobOutcome, string> = {
  started: 'started',
  scheduled: 'scheduled',
  awaiting_approval: 'waiting for approval by a second person (approver role)',
  not_started: 'created but not started (it was claimed elsewhere)',
};

/** Create a job for this conversation and post its card. */
export async function submitJob(
  turn: Turn,
  req: {
    type: JobType;
    target: JobTarget;
    params?: Record<string, unknown>;
    production: boolean;
    scheduleAt?: string;
  },
): Promise<string> {
  const { job, outcome } = await createJob(turn.rt.usecases, {
    ...req,
    actor: turn.actor,
    conversationId: turn.sender.conversationId,
  });
  await turn.rt.jobCards.post(turn.sender, job.id, `Job ${job.id}: ${OUTCOME_TEXT[outcome]}.`);
  return outcome;
}

export async function inventorySync(turn: Turn, args: ArgsOf<'inventorySync'>): Promise<string> {
  let sources: { source: 'ome' | 'vcenter'; id: string }[];
  if (args.source && args.name) sources = [{ source: args.source, id: args.name }];
  else {
    const known = (await turn.rt.store.listRecordsByType(INVENTORY_TYPES.vcenter, { limit: 100 })).items.map(
      (r) => ({
        source: 'vcenter' as const,
        id: r.id,
      }),
    );
    const all = [...turn.rt.config.inventorySources, ...known];
    sources = all.filter(
      (s, i) =>
        (!args.source || s.source === args.source) &&
        all.findIndex((o) => o.source === s.source && o.id === s.id) === i,
    );
    if (args.source && args.name === undefined && !sources.length) {
      await say(turn, `No ${args.source} source is known. Name one: \`inventory sync ${args.source} NAME\`.`);
      return 'no_source';
    }
  }
  if (!sources.length) {
    await say(
      turn,
      'No inventory source is known yet. Name one: `inventory sync vcenter NAME` or `inventory sync ome NAME`.',
    );
    return 'no_source';
  }
  for (const s of sources) {
    await submitJob(turn, {
      type: 'inventory_sync',
      target: { kind: s.source, id: s.id },
      params: { source: s.source },
      production: false,
    });
    if (s.source === 'vcenter') await readHardwareHealth(turn, s.id);
  }
  return 'started';
}

/**
 * With a vCenter's sync, what its schedule tick does too: one `inventory.health` read of each of its hosts the
 * Store knows, so `health` shows the rollups without waiting for the next tick. A vCenter synced for the first
 * time has no hosts yet: its hosts are read from its next sync on.
 */
async function readHardwareHealth(turn: Turn, vcenterId: string): Promise<void> {
  const started = await startHealthReads(turn.rt.usecases, vcenterId);
  await say(
    turn,
    started
      ? `Hardware health: reading ${started} host(s) of ${vcenterId} (\`inventory.health\`); \`health\` shows each as it is read.`
      : `Hardware health: no host of ${vcenterId} to read yet (or each read is still running); its hosts are read from the next \`inventory sync\` on.`,
  );
}

export async function updateCluster(turn: Turn, args: ArgsOf<'updateCluster'>): Promise<string> {
  const target = await resolveCluster(turn.rt.store, args.name, turn.rt.config.productionClusters);
  const scheduleAt = args.at ? parseAt(args.at, turn.rt.clock.now()) : undefined;
  const policies = withClusterDefaults(args, await loadClusterPolicy(turn.rt.store, target.id));
  return submitJob(turn, {
    type: 'rolling_cluster_update',
    target: { kind: 'cluster', id: target.id },
    params: {
      clusterName: target.name,
      ...(args.batch ? { batchSize: args.batch } : {}),
      ...(args['dry-run'] ? { dryRun: true } : {}),
      ...policyParams(policies),
    },
    production: target.production,
    ...(scheduleAt ? { scheduleAt } : {}),
  });
}

export async function updateHost(turn: Turn, args: ArgsOf<'updateHost'>): Promise<string> {
  const target = await resolveHost(turn.rt.store, args.id, turn.rt.config.productionClusters);
  const defaults = target.clusterId ? await loadClusterPolicy(turn.rt.store, target.clusterId) : {};
  return submitJob(turn, {
    type: 'firmware_update',
    target: { kind: 'host', id: target.id },
    params: { hostName: target.name, ...policyParams(withClusterDefaults(args, defaults)) },
    production: target.production,
  });
}

/** The chat's policy words as workflow params (core/src/workflows/params.ts). */
function policyParams(args: {
  'continue-on-failure'?: boolean | undefined;
  'stale-jobs'?: 'clear' | 'fail' | undefined;
  blockers?: 'pause' | 'skip' | 'fail' | undefined;
}): Record<string, unknown> {
  return {
    ...(args['continue-on-failure'] ? { continueOnFailure: true } : {}),
    ...(args['stale-jobs'] ? { staleJobs: args['stale-jobs'] } : {}),
    ...(args.blockers === 'pause' ? { interactive: true } : {}),
    ...(args.blockers === 'skip' ? { interactive: false, blockerPolicy: 'skip_host' } : {}),
    ...(args.blockers === 'fail' ? { interactive: false, blockerPolicy: 'fail' } : {}),
  };
}

export async function scpExport(turn: Turn, args: ArgsOf<'scpExport'>): Promise<string> {
  const target = await resolveHost(turn.rt.store, args.host, turn.rt.config.productionClusters);
  // A backup changes nothing on the server: no four-eyes.
  return submitJob(turn, {
    type: 'scp_export',
    target: { kind: 'host', id: target.id },
    params: {
      target: 'ALL',
      format: 'JSON',
      by: turn.actor.name ?? turn.actor.id,
      reason: 'scp export (chat)',
    },
    production: false,
  });
}

export async function cancel(turn: Turn, args: ArgsOf<'cancel'>): Promise<string> {
  const mode = args.mode === 'now' ? 'immediate' : 'graceful';
  const { job, effect } = await cancelJob(turn.rt.usecases, { jobId: args.id, mode, actor: turn.actor });
  await say(
    turn,
    effect === 'cancelled'
      ? `🚫 Job ${job.id} cancelled before it started.`
      : `🚫 Cancel (${mode}) requested for job ${job.id}. ${mode === 'graceful' ? 'Hosts in flight finish first; ' : 'A host not yet flashing leaves maintenance mode with its VMs back on, one mid-flash finishes that step; '}HA settings are restored before it stops.`,
  );
  turn.rt.jobCards.refresh(job.id);
  return effect;
}

export async function resume(turn: Turn, args: ArgsOf<'resume'>): Promise<string> {
  const job = await turn.rt.store.getJob(args.id);
  if (!job) throw new NotFoundError('job', args.id);
  if (job.status !== 'paused') {
    await say(turn, `Job ${job.id} is ${job.status}, not paused: nothing to resume.`);
    return 'not_paused';
  }
  if (args.force) {
    if (!hasRole(turn.role, 'admin')) {
      await say(turn, refusal('admin', turn.role, '`resume ID force`'));
      return 'refused';
    }
    return confirm(turn, { kind: 'force_resume', jobId: job.id, v: job.version });
  }
  await turn.rt.jobCards.post(turn.sender, job.id);
  return 'ok';
}

export async function power(turn: Turn, args: ArgsOf<'power'>): Promise<string> {
  const h = await resolveHost(turn.rt.store, args.host, turn.rt.config.productionClusters);
  return confirm(turn, {
    kind: 'power',
    hostId: h.id,
    hostName: h.name,
    action: args.action,
    production: h.production,
  });
}

export async function mediaMount(turn: Turn, args: ArgsOf<'mediaMount'>): Promise<string> {
  const h = await resolveHost(turn.rt.store, args.host, turn.rt.config.productionClusters);
  return confirm(turn, {
    kind: 'media_mount',
    hostId: h.id,
    hostName: h.name,
    url: args.url,
    ...(args.login ? { login: args.login } : {}),
    production: h.production,
  });
}

export async function mediaEject(turn: Turn, args: ArgsOf<'mediaEject'>): Promise<string> {
  const h = await resolveHost(turn.rt.store, args.host, turn.rt.config.productionClusters);
  return confirm(turn, { kind: 'media_eject', hostId: h.id, hostName: h.name, production: h.production });
}

/** Post a confirmation card; the operation runs only when someone with the role clicks Confirm. */
async function confirm(turn: Turn, op: ConfirmOp): Promise<string> {
  const now = turn.rt.clock.now();
  const cid = newId();
  const card = renderConfirm(cardKeyOf(turn), {
    cid,
    op,
    exp: new Date(now.getTime() + turn.rt.config.confirmTtlSeconds * 1000).toISOString(),
    by: turn.actor.name ?? turn.actor.id,
  });
  await postCard(turn, cid, card, now.getTime());
  return 'confirmation_asked';
}
