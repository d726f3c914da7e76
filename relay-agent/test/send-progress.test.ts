import { describe, expect, it } from 'vitest';
import { lineSplitter, parseSendProgressLine, progressText } from '../src/zfs/send-progress';
import { zfsArgv } from '../src/zfs/zfs-argv';

/** OpenZFS's `zfs send -v -P` stderr, as `zfs-2.2` prints it for an increment. */
const OPENZFS_STDERR = [
  'incremental\trackops-pg-a\ttank/vm@rackops-pg-b\t104857600',
  'size\t104857600',
  '12:00:01\t20971520\ttank/vm@rackops-pg-b',
  '12:00:02\t52428800\ttank/vm@rackops-pg-b',
  'cannot receive incremental stream: destination tank/vm has been modified',
].join('\n');

describe('zfs send -v -P progress', () => {
  it('asks for it only when told, before the increment and the snapshot', () => {
    expect(zfsArgv({ verb: 'send', dataset: 'tank/vm', tag: 'b', from: 'a', progress: true })).toEqual([
      'zfs',
      'send',
      '-v',
      '-P',
      '-i',
      '@a',
      'tank/vm@b',
    ]);
    expect(zfsArgv({ verb: 'send', dataset: 'tank/vm', tag: 'b' })).toEqual(['zfs', 'send', 'tank/vm@b']);
  });

  it('reads the estimate and the bytes so far; anything else is left for the error text', () => {
    const seen: ReturnType<typeof parseSendProgressLine>[] = [];
    const other: string[] = [];
    const feed = lineSplitter((l) => {
      const p = parseSendProgressLine(l);
      if (p === undefined) other.push(l);
      else seen.push(p);
    });
    // Chunks cut mid-line, as an SSH channel delivers them.
    const bytes = Buffer.from(`${OPENZFS_STDERR}\n`);
    for (let i = 0; i < bytes.length; i += 7) feed(bytes.subarray(i, i + 7));
    expect(seen).toEqual([{}, { size: 104857600 }, { sent: 20971520 }, { sent: 52428800 }]);
    expect(other).toEqual(['cannot receive incremental stream: destination tank/vm has been modified']);
    // zfs-fuse's and ssh's words are not progress.
    expect(parseSendProgressLine('sending from @a to tank/vm@b')).toBeUndefined();
    expect(parseSendProgressLine("Warning: Permanently added '[127.0.0.1]:2222' (ED25519)")).toBeUndefined();
  });

  it('says bytes, rate and, with an estimate, the ETA', () => {
    expect(progressText({ bytes: 50 * 1048576, seconds: 2 })).toEqual({
      text: 'sent 52428800 bytes (25600 KiB/s)',
      bytesPerSecond: 26214400,
    });
    expect(progressText({ bytes: 50 * 1048576, seconds: 2, estimate: 100 * 1048576 })).toEqual({
      text: 'sent 52428800 bytes (25600 KiB/s, of ~104857600 bytes, ETA 2 s)',
      bytesPerSecond: 26214400,
      etaSeconds: 2,
    });
    expect(progressText({ bytes: 0, seconds: 3, source: 'target grew, 3 s' }).text).toBe(
      'sent 0 bytes (0 KiB/s, target grew, 3 s)',
    );
  });
});
