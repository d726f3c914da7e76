/**
 * `zfs send -v -P` on OpenZFS writes, on stderr, `size\t<estimated bytes>` (or `full\t…`/`incremental\t…`
 * lines ending in the size) before the stream, then `HH:MM:SS\t<bytes sent>\t<snapshot>` once a second.
 * The `size` is the estimate a dry run (`-n -v -P`) would print, so the send itself gives the ETA's base.
 */
export interface SendProgressLine {
  /** Bytes of the whole stream, as the sender estimates it. */
  size?: number;
  /** Bytes sent so far. */
  sent?: number;
}

const SIZE = /^size\t(\d+)\s*$/;
const TICK = /^\d{1,2}:\d{2}:\d{2}\t(\d+)\t\S+\s*$/;

/** One stderr line of `zfs send -v -P`, or undefined when it is not progress (an error, ssh's own words). */
export function parseSendProgressLine(line: string): SendProgressLine | undefined {
  const size = SIZE.exec(line);
  if (size) return { size: Number(size[1]) };
  const tick = TICK.exec(line);
  if (tick) return { sent: Number(tick[1]) };
  // The header lines `full\t<snap>\t<size>` / `incremental\t<from>\t<to>\t<size>` only repeat `size`.
  if (/^(full|incremental)\t/.test(line)) return {};
  return undefined;
}

/** Splits a byte stream into lines, keeping the unfinished tail for the next chunk. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let tail = '';
  return (chunk) => {
    const text = tail + chunk.toString('utf8');
    const lines = text.split('\n');
    tail = (lines.pop() ?? '').slice(-4096);
    for (const l of lines) onLine(l.replace(/\r$/, ''));
  };
}

/** The relay progress text both transports use: `sent N bytes (R KiB/s, ETA S s)`. */
export function progressText(input: {
  bytes: number;
  seconds: number;
  estimate?: number;
  /** How the count was had, when it is not the stream itself. */
  source?: string;
}): { text: string; bytesPerSecond: number; etaSeconds?: number } {
  const rate = input.bytes / Math.max(0.001, input.seconds);
  const eta =
    input.estimate !== undefined && rate > 0 && input.estimate >= input.bytes
      ? Math.round((input.estimate - input.bytes) / rate)
      : undefined;
  const parts = [
    `${Math.round(rate / 1024)} KiB/s`,
    ...(input.estimate !== undefined ? [`of ~${input.estimate} bytes`] : []),
    ...(eta !== undefined ? [`ETA ${eta} s`] : []),
    ...(input.source ? [input.source] : []),
  ];
  return {
    text: `sent ${input.bytes} bytes (${parts.join(', ')})`,
    bytesPerSecond: Math.round(rate),
    ...(eta !== undefined ? { etaSeconds: eta } : {}),
  };
}
