import type { SendEstimate, ZfsFeatures } from '@rackops/core/relay/zfs-commands';
import { RackOpsError } from '@rackops/core/util/errors';
import { collect, RemoteCommandError } from './ssh-link';
import type { ZfsSession } from './zfs-appliance';

const UNITS = 'BKMGTPE';

/**
 * The estimate in a dry run's output. `-nvP` prints `size\t<bytes>` (OpenZFS ≥ 0.7; older ones only the
 * `full`/`incremental` line ending in the size); `-nv` prints `total estimated size is 1.23G` (powers of 1024).
 * OpenZFS writes it on stdout for a dry run and on stderr otherwise: both are read.
 */
export function parseDryRunSize(text: string): number | undefined {
  const size = /^size\t(\d+)\s*$/m.exec(text);
  if (size) return Number(size[1]);
  const header = /^(?:full|incremental)\t.*\t(\d+)\s*$/m.exec(text);
  if (header) return Number(header[1]);
  const human = /total estimated size is ([\d.]+)([BKMGTPE])?/i.exec(text);
  if (human) {
    const unit = UNITS.indexOf((human[2] ?? 'B').toUpperCase());
    const n = Number(human[1]);
    if (Number.isFinite(n) && unit >= 0) return Math.round(n * 1024 ** unit);
  }
  return undefined;
}

/** A snapshot's `referenced`, in bytes. */
async function referenced(s: ZfsSession, dataset: string, tag: string): Promise<number> {
  const out = (await s.run({ verb: 'referenced', dataset, tag })).trim();
  const n = Number(out);
  if (!/^\d+$/.test(out) || !Number.isSafeInteger(n))
    throw new RackOpsError(
      'estimate_unreadable',
      `referenced of ${dataset}@${tag} is ${JSON.stringify(out)}`,
    );
  return n;
}

/**
 * How big the send of `dataset@to` (from `from` when incremental) will be, by the method the source's feature
 * detection chose: the appliance's own dry run where `zfs send -n` exists, otherwise (zfs-fuse has no `-n` and
 * no `written`) from snapshot sizes — exact enough for a full send, only a range for an increment.
 */
export async function estimateSend(
  s: ZfsSession,
  features: Pick<ZfsFeatures, 'estimateMethod'>,
  send: { dataset: string; to: string; from?: string },
): Promise<SendEstimate> {
  const method = features.estimateMethod;
  if (method === 'send -nvP' || method === 'send -nv') {
    const { channel, argv } = await s.open({
      verb: 'estimate-send',
      dataset: send.dataset,
      tag: send.to,
      ...(send.from !== undefined ? { from: send.from } : {}),
      parsable: method === 'send -nvP',
    });
    const r = await collect(channel);
    if (r.exitCode !== 0) throw new RemoteCommandError(argv, r.exitCode, r.stderr);
    const bytes = parseDryRunSize(`${r.stdout}\n${r.stderr}`);
    if (bytes === undefined)
      throw new RackOpsError(
        'estimate_unreadable',
        `${argv.join(' ')} printed no size: ${JSON.stringify(`${r.stdout}${r.stderr}`.slice(0, 200))}`,
      );
    return { bytes, method };
  }
  const to = await referenced(s, send.dataset, send.to);
  if (send.from === undefined) return { bytes: to, method: 'referenced' };
  // Blocks rewritten in place leave `referenced` as it was: its growth is a floor, the whole snapshot a ceiling.
  const from = await referenced(s, send.dataset, send.from);
  return { bytes: Math.max(0, to - from), method: 'referenced', atMost: to };
}

/** The size to count progress against: an estimate, never a range's floor. */
export function progressTotal(e: SendEstimate | undefined): number | undefined {
  return e && e.atMost === undefined && e.bytes > 0 ? e.bytes : undefined;
}
