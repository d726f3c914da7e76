import { newestCommonSnapshot, type SnapshotInfo } from '@rackops/core/replication/replication-plan';
import { finishInterruptedReceive } from '../zfs/resume-receive';
import { progressText } from '../zfs/send-progress';
import type { ZfsSession } from '../zfs/zfs-appliance';
import type { CommandContext } from './command-context';
import { sealReplica } from './zfs-replication.handlers';

export interface ResumedFirst {
  /** The target's snapshots after the resume (the interrupted one is there now). */
  dstSnaps: SnapshotInfo[] | undefined;
  seconds: number;
  /** The resumed transfer, when it completed: what it was, and the bytes it moved (only the rest). */
  done?: { kind: 'full' | 'incremental'; from?: string; bytes: number; resumedBytes: number };
  /** The token was refused and the partial receive dropped: the increment is sent again, and this says why. */
  aborted?: string;
}

/**
 * Before planning on a target with resumable receive: finish what an earlier run left cut, from the target's
 * resume token. The plan is then made on the target as it is after, so a replay sends nothing twice.
 */
export async function resumeFirst(input: {
  source: ZfsSession;
  target: ZfsSession;
  srcSnaps: SnapshotInfo[];
  before: SnapshotInfo[] | undefined;
  params: { group: string; sourceDataset: string; targetDataset: string };
  pair: { source: string; target: string };
  ctx: CommandContext;
}): Promise<ResumedFirst | undefined> {
  const { params, ctx } = input;
  const started = Date.now();
  let lastReport = 0;
  const outcome = await finishInterruptedReceive({
    source: input.source,
    target: input.target,
    targetAppliance: input.pair.target,
    sourceDataset: params.sourceDataset,
    targetDataset: params.targetDataset,
    targetExists: input.before !== undefined,
    signal: ctx.signal,
    onBytes: (bytes) => {
      const now = Date.now();
      if (now - lastReport < 2000) return;
      lastReport = now;
      const t = progressText({ bytes, seconds: (now - started) / 1000 });
      void ctx.progress(`resuming an interrupted receive: ${t.text}`, {
        page: { bytes, bytesPerSecond: t.bytesPerSecond, resumed: true },
      });
    },
  });
  if (outcome === undefined) return undefined;
  const seconds = (Date.now() - started) / 1000;
  if ('aborted' in outcome) {
    ctx.log.warn(
      { reason: outcome.aborted },
      'resume token refused: partial receive dropped, increment restarted',
    );
    return { dstSnaps: input.before, seconds, aborted: outcome.aborted };
  }
  const common = input.before?.length ? newestCommonSnapshot(input.srcSnaps, input.before) : undefined;
  const kind = common ? 'incremental' : 'full';
  await sealReplica(input.target, params.targetDataset, params.group, kind);
  return {
    dstSnaps: await input.target.snapshots(params.targetDataset),
    seconds,
    done: {
      kind,
      ...(common ? { from: common.tag } : {}),
      bytes: outcome.resumedBytes,
      resumedBytes: outcome.resumedBytes,
    },
  };
}
