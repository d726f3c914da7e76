import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { botProcessNodeFlags, lambdaHeapFlags } from '../src/support/bot/lambda-heap-flags';

/** The young generation a `node` with `flags` reaches while keeping a moving window of objects alive, MiB. */
function youngGenerationMiB(flags: string[]): number {
  const script = `
    const v8 = require('node:v8');
    let keep = [], max = 0;
    for (let i = 0; i < 2e6; i++) {
      keep.push({ i, a: [i] });
      if (keep.length > 200000) keep = keep.slice(100000);
      if (i % 20000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    console.log(max / 2 ** 20);`;
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

  it("lets the young generation grow past a bare node's", () => {
    const bare = youngGenerationMiB([]);
    const lambda = youngGenerationMiB(lambdaHeapFlags(1024));
    expect(lambda).toBeGreaterThan(bare);
  }, 30_000);
});
