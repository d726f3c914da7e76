import { LiveCards } from '@rackops/bot/live-cards';
import { systemClock } from '@rackops/core/ports/clock.port';
import { createJobOpsHandler } from '@rackops/lambdas/handlers/job-ops.handler';
import { startBotOnlyStack } from '@rackops/local/web/bot-only-stack';
import { pino } from 'pino';
import { DirectLineClient, fromBot } from './directline-client';
import { createRunningBenchJob } from './running-bench-job';

export interface CardLag {
  jobs: number;
  writes: number;
  /** Write -> the first card update at the Bot Connector that shows it (or a later step), in ms. */
  lagMs: number[];
  /** Card updates the Bot Connector received. */
  updates: number;
  /** Writes never shown before the run ended. */
  unseen: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STEP = /Bench step (\d+)\b/g;

/**
 * `jobs` running jobs, each with its card in its own Web Chat conversation; each job's workflow writes a step every
 * 0.5–1.5 s through the job-ops handler, which tells LiveCards (the AWS path). The card updates are read at the
 * Direct Line side of the local Bot Connector. When the writes stop, each job keeps calling `check-cancel` every
 * second (what a waiting workflow does) so a last write inside the throttle interval is carried out.
 */
export async function measureCardLag(jobs: number, seconds: number): Promise<CardLag> {
  const logger = pino({ level: 'silent' });
  // No poller: only the job-ops path updates cards here.
  const stack = await startBotOnlyStack({ logger, refreshEveryMs: 3_600_000 });
  try {
    const { bot } = stack.localBot;
    const base = stack.localBot.chat.url;
    const live = new LiveCards({
      store: stack.store,
      jobCards: bot.jobCards,
      clock: systemClock,
      logger,
      minIntervalMs: bot.runtime.config.progressMinIntervalMs,
    });
    const jobOps = createJobOpsHandler({
      store: stack.store,
      notifier: { notify: async () => {} },
      progress: live,
    });
    const now = () => performance.now();
    const lagMs: number[] = [];
    let writes = 0;
    let updates = 0;
    let unseen = 0;
    const setups = await Promise.all(
      Array.from({ length: jobs }, async (_, i) => {
        const job = await createRunningBenchJob(stack.store, i);
        const c = await DirectLineClient.open(base, 'local-operator');
        await c.waitFor(fromBot);
        await c.post({ type: 'message', text: `job ${job.id}` });
        const card = await c.waitFor((a) => fromBot(a) && !!a.attachments?.length);
        return { jobId: job.id, c, cardId: card.id };
      }),
    );
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      setups.map(async ({ jobId, c, cardId }) => {
        const written: number[] = [];
        let shown = -1;
        let writing = true;
        const writer = (async () => {
          for (let n = 0; Date.now() < end; n++) {
            written[n] = now();
            await jobOps({
              op: 'step',
              jobId,
              step: { key: `s${n}`, name: `Bench step ${n}`, status: 'running' },
            });
            writes += 1;
            await sleep(500 + Math.random() * 1000);
          }
          writing = false;
          for (let i = 0; i < 10 && shown < written.length - 1; i++) {
            await sleep(1000);
            await jobOps({ op: 'check-cancel', jobId });
          }
        })();
        const reader = (async () => {
          while (writing || shown < written.length - 1) {
            const a = await c.waitFor((x) => x.id === cardId, 5_000).catch(() => undefined);
            // A quiet card while the job still writes is slow, not done: keep reading.
            if (!a) {
              if (writing) continue;
              break;
            }
            updates += 1;
            const t = now();
            const max = Math.max(-1, ...[...JSON.stringify(a).matchAll(STEP)].map((m) => Number(m[1])));
            for (let n = shown + 1; n <= max; n++) {
              const w = written[n];
              if (w !== undefined) lagMs.push(t - w);
            }
            shown = Math.max(shown, max);
          }
        })();
        await writer;
        await reader;
        unseen += Math.max(0, written.length - 1 - shown);
      }),
    );
    return { jobs, writes, lagMs, updates, unseen };
  } finally {
    await stack.close();
  }
}
