import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { botProcessNodeFlags, lambdaHeapFlags } from '../src/support/bot/lambda-heap-flags';

/** The heap limit V8 takes from `flags` in a fresh `node`, MiB (old space plus three semi-spaces). */
function heapLimitMiB(flags: string[]): number {
  const script = "console.log(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20)";
  return Number(execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' }).trim());
}

describe("the bench's bot process heap", () => {
  it("is the Lambda runtime's for the bot's memory size: a tenth young (two semi-spaces), the rest old", () => {
    expect(lambdaHeapFlags(1024)).toEqual(['--max-semi-space-size=51', '--max-old-space-size=922']);
    expect(lambdaHeapFlags(512)).toEqual(['--max-semi-space-size=25', '--max-old-space-size=461']);
    expect(botProcessNodeFlags({})).toEqual(lambdaHeapFlags(1024));
    expect(() => lambdaHeapFlags(100)).toThrow(RangeError);
  });

  it('takes BENCH_BOT_NODE_FLAGS instead, empty meaning Node defaults', () => {
    expect(botProcessNodeFlags({ BENCH_BOT_NODE_FLAGS: '' })).toEqual([]);
    expect(botProcessNodeFlags({ BENCH_BOT_NODE_FLAGS: ' --max-semi-space-size=32 ' })).toEqual([
      '--max-semi-space-size=32',
    ]);
  });

  // How far the young generation grows under load is V8's own sizing and differs between Node 20 and 24; that
  // V8 took both flags is what the heap limit shows: 922 MiB old space plus three semi-spaces of 51 → 64 MiB.
  it('is taken by V8: the heap limit is the old space plus three semi-spaces', () => {
    const limit = heapLimitMiB(lambdaHeapFlags(1024));
    expect(limit).toBeGreaterThanOrEqual(922 + 3 * 51);
    expect(limit).toBeLessThanOrEqual(922 + 3 * 64);
    expect(heapLimitMiB([])).not.toBe(limit);
  }, 30_000);
});
