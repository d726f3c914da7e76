import { planReplication } from '@rackops/core/replication/replication-plan';
import { type SendEstimate, ZfsCommandParams } from '@rackops/core/relay/zfs-commands';
import { formatBytes } from '@rackops/core/workflows/command-result';
import { RackOpsError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { readResumeToken } from '../zfs/resume-receive';
import { estimateSend } from '../zfs/send-estimate';
import { RemoteCommandError } from '../zfs/ssh-link';
import type { ZfsAppliances, ZfsSession } from '../zfs/zfs-appliance';
import type { CommandHandler } from './command-context';

const parentOf = (dataset: string) =>
  dataset.includes('/') ? dataset.slice(0, dataset.lastIndexOf('/')) : undefined;

/** Both appliances' sessions, or one error naming every appliance that did not answer. */
async function connectBoth(appliances: ZfsAppliances, ids: [string, string]): Promise<ZfsSession[]> {
  const opened = await Promise.allSettled(
    ids.map((id) => Promise.resolve().then(() => appliances.get(id).connect())),
  );
  const ok = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = opened.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failed.length === 0) return ok;
  for (const s of ok) s.close();
  if (failed.length === 1) throw failed[0];
  throw new RackOpsError(
    'appliance_unreachable',
    failed.map((e) => (e instanceof Error ? e.message : String(e))).join('; '),
  );
}

/** `available` of a dataset in bytes, or undefined when it does not exist. */
async function available(s: ZfsSession, dataset: string): Promise<number | undefined> {
  try {
    const out = (await s.run({ verb: 'available', dataset })).trim();
    if (!/^\d+$/.test(out))
      throw new RackOpsError('bad_answer', `available of ${dataset} is ${JSON.stringify(out)}`);
    return Number(out);
  } catch (err) {
    if (err instanceof RemoteCommandError && /does not exist/.test(err.stderr)) return undefined;
    throw err;
  }
}

const describeEstimate = (e: SendEstimate) =>
  e.atMost === undefined
    ? `~${formatBytes(e.bytes)} (${e.method})`
    : `${formatBytes(e.bytes)} to ${formatBytes(e.atMost)} (by ${e.method}: this appliance has no \`zfs send -n\`)`;

/**
 * zfs.preflight — read-only. Fails, naming the appliance and the dataset, when either appliance does not answer
 * over SSH, the source dataset is missing, or the target dataset and its parent are both missing (a first full
 * send creates the dataset, never its parents). With the run's `snapshot`: plans the send as zfs.replicate will,
 * estimates it (send-estimate.ts) and fails when the target's `available` is below the estimate — before any
 * byte moves. An estimate that is only a range (zfs-fuse's increments) fails below its floor and warns inside it.
 */
export function createZfsPreflightHandler(appliances: ZfsAppliances): CommandHandler<'zfs.preflight'> {
  return async (raw, ctx) => {
    // Checked again here, before any connection: names reach the appliance's shell as argv words.
    const p = parseOrThrow(ZfsCommandParams['zfs.preflight'], raw, 'zfs.preflight params');
    const ids: [string, string] = [ctx.target.id, p.targetAppliance];
    const [source, target] = await connectBoth(appliances, ids);
    if (!source || !target) throw new Error('no session');
    try {
      const [srcSnaps, dstSnaps] = await Promise.all([
        source.snapshots(p.sourceDataset),
        target.snapshots(p.targetDataset),
      ]);
      if (srcSnaps === undefined)
        throw new RackOpsError('not_found', `source dataset ${ids[0]}:${p.sourceDataset} does not exist`);
      const exists = dstSnaps !== undefined;
      const availableOn = exists ? p.targetDataset : parentOf(p.targetDataset);
      const room = availableOn === undefined ? undefined : await available(target, availableOn);
      if (availableOn === undefined || room === undefined)
        throw new RackOpsError(
          'not_found',
          `target ${ids[1]}:${p.targetDataset} does not exist and neither does its parent${availableOn ? ` ${availableOn}` : ' pool'} (a first full send creates the dataset, not its parents)`,
        );
      // A modern target may hold a cut receive the next run finishes first (resume-receive.ts); a token that
      // is not one fails here, before the run.
      const resumePending =
        (await appliances.get(ids[1]).features()).resumableReceive &&
        (await readResumeToken(target, ids[1], p.targetDataset)) !== undefined;
      const out = {
        source: { appliance: ids[0], dataset: p.sourceDataset, snapshots: srcSnaps.length },
        target: {
          appliance: ids[1],
          dataset: p.targetDataset,
          exists,
          availableOn,
          available: room,
          ...(resumePending ? { resumePending } : {}),
        },
      };
      if (p.snapshot === undefined) return out;
      const plan = planReplication({ source: srcSnaps, target: dstSnaps, to: p.snapshot });
      if (plan.kind === 'refuse') throw new RackOpsError('replication_refused', plan.reason);
      if (plan.kind === 'up-to-date') return { ...out, plan: plan.kind };
      const from = plan.kind === 'incremental' ? plan.from : undefined;
      const features = await appliances.get(ids[0]).features();
      const estimate = await estimateSend(source, features, {
        dataset: p.sourceDataset,
        to: plan.to,
        ...(from !== undefined ? { from } : {}),
      });
      const what = `the ${plan.kind === 'full' ? 'full send' : `increment ${from} →`} ${p.sourceDataset}@${plan.to}`;
      if (room < estimate.bytes)
        throw new RackOpsError(
          'insufficient_space',
          `not enough space on ${ids[1]}: ${what} is ${describeEstimate(estimate)}, ${availableOn} has ${formatBytes(room)} available; nothing was sent`,
        );
      const warning =
        estimate.atMost !== undefined && room < estimate.atMost
          ? `${what} is ${describeEstimate(estimate)} and ${availableOn} has ${formatBytes(room)} available: it may not fit`
          : undefined;
      if (warning) ctx.log.warn({ group: p.group }, warning);
      return {
        ...out,
        plan: plan.kind,
        ...(from !== undefined ? { from } : {}),
        estimate,
        ...(warning ? { warning } : {}),
      };
    } finally {
      source.close();
      target.close();
    }
  };
}
