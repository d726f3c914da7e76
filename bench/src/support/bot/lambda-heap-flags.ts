import { LAMBDA_FUNCTIONS } from '@rackops/lambdas/composition/functions';

/**
 * The V8 heap flags the nodejs Lambda runtime starts `node` with for a function of `memoryMb`: its bootstrap
 * (/var/runtime/bootstrap) gives a tenth of the memory to the young generation (two semi-spaces) and the rest to the
 * old one. They are command-line flags, so they win over the same flags in the function's NODE_OPTIONS. At the bot's
 * 1024 MB that is a 51 MiB semi-space (V8 rounds it up to 64), where a bare `node` stops at 16 MiB. Measured with
 * 50 conversations (2026-12-07, two A/B pairs): scavenges per phase 7-9 -> 2 and the bot's GC time in the action
 * phase 43-55 -> 18-21 ms, but the loop's delay (p99 85-125 ms) and the reply/action p99 unchanged: a burst's loop
 * stalls are its turns' own synchronous work, not GC.
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  if (!Number.isInteger(memoryMb) || memoryMb < 128)
    throw new RangeError(`not a Lambda memory size: ${memoryMb}`);
  const young = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(young / 2)}`, `--max-old-space-size=${memoryMb - young}`];
}

/**
 * `node` flags of the bench's bot process: those of the bot Lambda at its memory size (lambdas/src/composition/
 * functions.ts), so the bench measures the heap that is deployed. `BENCH_BOT_NODE_FLAGS` replaces them (empty:
 * Node's defaults), for A/B runs.
 */
export function botProcessNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env.BENCH_BOT_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const bot = LAMBDA_FUNCTIONS.find((f) => f.name === 'bot');
  if (!bot) throw new Error('the function list has no bot (lambdas/src/composition/functions.ts)');
  return lambdaHeapFlags(bot.memoryMb);
}
