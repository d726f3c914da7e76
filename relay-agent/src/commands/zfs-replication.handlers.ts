import { newestCommonSnapshot, planReplication } from '@rackops/core/replication/replication-plan';
import { pruneSnapshots } from '@rackops/core/replication/retention';
import { snapshotTag } from '@rackops/core/replication/snapshot-name';
import { ZfsCommandParams } from '@rackops/core/relay/zfs-commands';
import { RackOpsError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { RemoteCommandError } from '../zfs/ssh-link';
import type { ZfsAppliances, ZfsSession } from '../zfs/zfs-appliance';
import { type DirectHopInput, directPipelineCommand } from '../zfs/direct-hop';
import { estimateSend, progressTotal } from '../zfs/send-estimate';
import { progressText } from '../zfs/send-progress';
import { directSendReceive } from '../zfs/zfs-direct-transfer';
import { markSet, PROMOTED_MARK, readProp, REPLICA_MARK } from '../zfs/zfs-props';
import { pipeSendReceive } from '../zfs/zfs-transfer';
import type { CommandHandler } from './command-context';
import { resumeFirst } from './zfs-resume-first';

async function withSessions<T>(
  sessions: Promise<ZfsSession>[],
  work: (s: ZfsSession[]) => Promise<T>,
): Promise<T> {
  const opened = await Promise.allSettled(sessions);
  const ok = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = opened.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return await work(ok);
  } finally {
    for (const s of ok) s.close();
  }
}

type Snapshots = Awaited<ReturnType<ZfsSession['snapshots']>>;
interface BothSides {
  source: ZfsSession;
  target: ZfsSession;
  srcSnaps: Snapshots;
  dstSnaps: Snapshots;
}

/** Opens the source and target appliances of a pair and reads each side's snapshots of its dataset, at once. */
function withPair<T>(
  appliances: ZfsAppliances,
  pair: { source: string; target: string; sourceDataset: string; targetDataset: string },
  work: (sides: BothSides) => Promise<T>,
): Promise<T> {
  const src = appliances.get(pair.source);
  const dst = appliances.get(pair.target);
  return withSessions([src.connect(), dst.connect()], async ([source, target]) => {
    if (!source || !target) throw new Error('no session');
    const [srcSnaps, dstSnaps] = await Promise.all([
      source.snapshots(pair.sourceDataset),
      target.snapshots(pair.targetDataset),
    ]);
    return work({ source, target, srcSnaps, dstSnaps });
  });
}

/**
 * The hop of a direct transfer, from the agent's config for the pair, and the whole pipeline built once
 * with this command's names: a bad hop or name is refused here, before any SSH connection.
 */
function directHopFor(
  appliances: ZfsAppliances,
  source: string,
  target: string,
  params: { sourceDataset: string; targetDataset: string; snapshot: string },
): DirectHopInput {
  const hop = appliances.get(source).directHop(target);
  if (!hop)
    throw new RackOpsError(
      'direct_not_configured',
      `the group asks for a direct transfer but the agent has no hop from ${source} to ${target} (zfs.sites.${source}.direct.${target})`,
    );
  directPipelineCommand({
    send: { verb: 'send', dataset: params.sourceDataset, tag: params.snapshot },
    receive: { verb: 'receive', dataset: params.targetDataset, incremental: false },
    hop,
  });
  return hop;
}

export function createZfsFeaturesHandler(appliances: ZfsAppliances): CommandHandler<'zfs.features'> {
  return async (_params, ctx) => appliances.get(ctx.target.id).features();
}

/**
 * zfs.snapshot — the tag is chosen once and kept in the ledger before the snapshot is taken, so a
 * redelivered command finds its own snapshot instead of taking a second one.
 */
export function createZfsSnapshotHandler(appliances: ZfsAppliances): CommandHandler<'zfs.snapshot'> {
  return async (raw, ctx) => {
    // Checked again here, before any connection: names reach the appliance's shell as argv words.
    const params = parseOrThrow(ZfsCommandParams['zfs.snapshot'], raw, 'zfs.snapshot params');
    let tag = ctx.memo.get<string>('tag');
    const takenAt = ctx.memo.get<string>('takenAt') ?? ctx.now().toISOString();
    if (!tag) {
      tag = snapshotTag(params.group, new Date(takenAt));
      ctx.memo.set('tag', tag);
      ctx.memo.set('takenAt', takenAt);
    }
    const snapshot = tag;
    return withSessions([appliances.get(ctx.target.id).connect()], async ([s]) => {
      if (!s) throw new Error('no session');
      const existing = await s.snapshots(params.dataset);
      if (existing === undefined)
        throw new RackOpsError('not_found', `dataset ${params.dataset} does not exist`);
      if (existing.some((x) => x.tag === snapshot)) return { snapshot, takenAt, created: false };
      await s.run({ verb: 'snapshot', dataset: params.dataset, tag: snapshot });
      return { snapshot, takenAt, created: true };
    });
  };
}

/**
 * zfs.replicate — plans from both sides' snapshots as they are now: a full send the first time, an
 * increment from the newest common snapshot after, nothing when the target already has the snapshot (a
 * replay, or a run after an interrupted one whose receive completed). A transfer cut mid-stream leaves the
 * target at the old common snapshot (receive is atomic), so the next run sends that increment again.
 */
export function createZfsReplicateHandler(
  appliances: ZfsAppliances,
  opts: { directPollMs?: number; progressEveryMs?: number } = {},
): CommandHandler<'zfs.replicate'> {
  return async (raw, ctx) => {
    // Checked again here, before any connection: names reach the appliance's shell as argv words.
    const params = parseOrThrow(ZfsCommandParams['zfs.replicate'], raw, 'zfs.replicate params');
    const transport = params.transport ?? 'agent';
    const pair = { ...params, source: ctx.target.id, target: params.targetAppliance };
    const hop =
      transport === 'direct' ? directHopFor(appliances, pair.source, pair.target, params) : undefined;
    return withPair(appliances, pair, async ({ source, target, srcSnaps, dstSnaps: before }) => {
      if (srcSnaps === undefined)
        throw new RackOpsError('not_found', `dataset ${params.sourceDataset} does not exist`);
      // Modern path: a receive an earlier run left cut (`receive -s`) is finished first, from where it stopped.
      const resumable = !hop && (await appliances.get(pair.target).features()).resumableReceive;
      const resume = resumable
        ? await resumeFirst({ source, target, srcSnaps, before, params, pair, ctx })
        : undefined;
      const dstSnaps = resume?.dstSnaps ?? before;
      const plan = planReplication({ source: srcSnaps, target: dstSnaps, to: params.snapshot });
      if (plan.kind === 'refuse') throw new RackOpsError('replication_refused', plan.reason);
      if (plan.kind === 'up-to-date')
        return resume?.done
          ? { ...resume.done, snapshot: params.snapshot, seconds: resume.seconds, transport }
          : { kind: plan.kind, snapshot: params.snapshot, bytes: 0, seconds: 0, transport };
      // A replica promoted by a failover is live at DR now: a receive (-F) would roll back what VMs wrote there.
      const promoted = await readProp(target, params.targetDataset, PROMOTED_MARK);
      if (markSet(promoted))
        throw new RackOpsError(
          'replica_promoted',
          `${params.targetDataset} was promoted by a failover (from ${promoted}): not replicating into it`,
        );
      // The agent counts the stream; the size to count it against (percent, ETA) is the send's estimate.
      const total = hop
        ? undefined
        : await appliances
            .get(pair.source)
            .features()
            .then((f) =>
              estimateSend(source, f, {
                dataset: params.sourceDataset,
                to: plan.to,
                ...(plan.kind === 'incremental' ? { from: plan.from } : {}),
              }),
            )
            .then(progressTotal, (err: unknown) => {
              ctx.log.warn({ err }, 'no size estimate for this send: progress without ETA');
              return undefined;
            });
      const started = Date.now();
      if (hop) {
        const guid = srcSnaps.find((x) => x.tag === plan.to)?.guid;
        if (guid === undefined)
          throw new RackOpsError('not_found', `${params.sourceDataset}@${plan.to} is gone`);
        const bytes = await directSendReceive({
          source,
          target,
          sourceDataset: params.sourceDataset,
          targetDataset: params.targetDataset,
          to: plan.to,
          ...(plan.kind === 'incremental' ? { from: plan.from } : {}),
          hop,
          guid,
          sendProgress: (await appliances.get(pair.source).features()).sendProgress,
          signal: ctx.signal,
          ...(opts.directPollMs !== undefined ? { pollMs: opts.directPollMs } : {}),
          onProgress: (p) => {
            const t = progressText({
              bytes: p.bytes,
              seconds: p.seconds,
              ...(p.estimate !== undefined ? { estimate: p.estimate } : {}),
              ...(p.from === 'target-used' ? { source: `target grew, ${Math.round(p.seconds)} s` } : {}),
            });
            void ctx.progress(`${t.text} ${pair.source} → ${pair.target} direct`, {
              ...(p.estimate ? { percent: Math.min(100, Math.round((100 * p.bytes) / p.estimate)) } : {}),
              page: {
                bytes: p.bytes,
                bytesPerSecond: t.bytesPerSecond,
                bytesFrom: p.from,
                ...(t.etaSeconds !== undefined ? { etaSeconds: t.etaSeconds } : {}),
              },
            });
          },
        });
        await sealReplica(target, params.targetDataset, params.group, plan.kind);
        return {
          kind: plan.kind,
          ...(plan.kind === 'incremental' ? { from: plan.from } : {}),
          snapshot: plan.to,
          bytes,
          seconds: (Date.now() - started) / 1000,
          transport,
          bytesFrom: 'target-used' as const,
        };
      }
      let lastReport = 0;
      const streamed = await pipeSendReceive({
        source,
        target,
        sourceDataset: params.sourceDataset,
        targetDataset: params.targetDataset,
        to: plan.to,
        ...(plan.kind === 'incremental' ? { from: plan.from } : {}),
        resumable,
        signal: ctx.signal,
        onBytes: (sent) => {
          const now = Date.now();
          if (now - lastReport < (opts.progressEveryMs ?? 2000)) return;
          lastReport = now;
          const t = progressText({
            bytes: sent,
            seconds: (now - started) / 1000,
            ...(total !== undefined ? { estimate: total } : {}),
          });
          void ctx.progress(t.text, {
            ...(total !== undefined ? { percent: Math.min(100, Math.round((100 * sent) / total)) } : {}),
            page: {
              bytes: sent,
              bytesPerSecond: t.bytesPerSecond,
              ...(total !== undefined ? { totalBytes: total } : {}),
              ...(t.etaSeconds !== undefined ? { etaSeconds: t.etaSeconds } : {}),
            },
          });
        },
      });
      await sealReplica(target, params.targetDataset, params.group, plan.kind);
      const seconds = (Date.now() - started) / 1000 + (resume?.seconds ?? 0);
      const resumedBytes = resume?.done?.resumedBytes;
      return {
        kind: plan.kind,
        ...(plan.kind === 'incremental' ? { from: plan.from } : {}),
        snapshot: plan.to,
        bytes: streamed + (resumedBytes ?? 0),
        ...(resumedBytes !== undefined ? { resumedBytes } : {}),
        ...(resume?.aborted ? { resumeAborted: resume.aborted } : {}),
        seconds,
        transport,
        bytesFrom: 'stream' as const,
      };
    });
  };
}

/** How zfs (OpenZFS and zfs-fuse alike) refuses to destroy a snapshot a clone depends on. */
const DEPENDENT_CLONES = /dependent clones/i;

/**
 * After a receive: a full replica is made read-only (writes there would break the next increment), and every
 * transfer marks it as this group's replica (one made before the mark existed gets it on its next run): only a
 * dataset so marked can be promoted by a failover.
 */
export async function sealReplica(
  target: ZfsSession,
  dataset: string,
  group: string,
  kind: 'full' | 'incremental',
): Promise<void> {
  if (kind === 'full') await target.run({ verb: 'set-readonly', dataset });
  await target.run({ verb: 'mark', dataset, property: REPLICA_MARK, value: group });
}

/**
 * zfs.prune — after a successful receive, each side keeps what the retention says and always the newest
 * common snapshot (the next increment's base). Without a common snapshot nothing is destroyed. A snapshot a
 * live clone depends on (a test failover running) is skipped and listed in `skipped`, never forced.
 */
export function createZfsPruneHandler(appliances: ZfsAppliances): CommandHandler<'zfs.prune'> {
  return async (raw, ctx) => {
    // Checked again here, before any connection: names reach the appliance's shell as argv words.
    const params = parseOrThrow(ZfsCommandParams['zfs.prune'], raw, 'zfs.prune params');
    const pair = { ...params, source: ctx.target.id, target: params.targetAppliance };
    return withPair(appliances, pair, async ({ source, target, srcSnaps, dstSnaps }) => {
      const common = newestCommonSnapshot(srcSnaps ?? [], dstSnaps ?? []);
      if (!common) return { destroyedSource: [], destroyedTarget: [], held: false };
      const protect = new Set([common.tag]);
      const side = async (s: ZfsSession, dataset: string, snaps: { tag: string }[]) => {
        const d = pruneSnapshots(
          params.group,
          snaps.map((x) => x.tag),
          params.retention,
          protect,
        );
        const destroyed: string[] = [];
        for (const tag of d.destroy) {
          try {
            await s.run({ verb: 'destroy-snapshot', dataset, tag });
            destroyed.push(tag);
          } catch (err) {
            // A test failover's clone lives on this snapshot: zfs refuses, and the clone must outlive the
            // prune. Kept, and said so; the next prune after the clean-up takes it.
            if (!(err instanceof RemoteCommandError && DEPENDENT_CLONES.test(err.stderr))) throw err;
            skipped.push({ dataset, tag, reason: 'origin of a live clone' });
          }
        }
        return destroyed;
      };
      const skipped: { dataset: string; tag: string; reason: string }[] = [];
      const destroyedSource = await side(source, params.sourceDataset, srcSnaps ?? []);
      const destroyedTarget = await side(target, params.targetDataset, dstSnaps ?? []);
      return {
        common: common.tag,
        destroyedSource,
        destroyedTarget,
        held: false,
        ...(skipped.length > 0 ? { skipped } : {}),
      };
    });
  };
}
