import { startBotOnlyStack } from '@rackops/local/web/bot-only-stack';
import { pino } from 'pino';

/**
 * `npm run bench -- bot [conversations] [rounds]`: the bot behind the local Direct Line endpoint (HTTP, the same path
 * Web Chat uses), N concurrent conversations. Measures message -> first bot reply, and card action (Action.Submit
 * of a job card's Refresh) -> the card updated in place, as seen by a polling client.
 */
type Activity = {
  id?: string;
  type?: string;
  text?: string;
  from?: { role?: string };
  attachments?: { content?: unknown }[];
};

class Client {
  private watermark = 0;
  private seen: Activity[] = [];
  constructor(
    private readonly base: string,
    private readonly conversationId: string,
    private readonly token: string,
    readonly userId: string,
  ) {}

  static async open(base: string, userId: string): Promise<Client> {
    const res = await fetch(`${base}v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: 'Bearer local' },
    });
    const body = (await res.json()) as { conversationId: string; token: string };
    return new Client(base, body.conversationId, body.token, userId);
  }

  private headers() {
    return { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' };
  }

  async post(activity: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.base}v3/directline/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ ...activity, from: { id: this.userId, name: this.userId } }),
    });
    if (!res.ok) throw new Error(`post failed: ${res.status}`);
  }

  /** Long-poll until an activity matching `pred` arrives after the current watermark. */
  async waitFor(pred: (a: Activity) => boolean, timeoutMs = 120_000): Promise<Activity> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(
        `${this.base}v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`,
        {
          headers: this.headers(),
        },
      );
      const body = (await res.json()) as { activities: Activity[]; watermark: string };
      this.watermark = Number(body.watermark);
      this.seen.push(...body.activities);
      const hit = body.activities.find(pred);
      if (hit) return hit;
      if (Date.now() > until) throw new Error('timed out waiting for the bot');
    }
  }
}

const fromBot = (a: Activity) => a.from?.role === 'bot';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export async function run(args: string[]): Promise<void> {
  const conversations = Number(args[0] ?? 50);
  const rounds = Number(args[1] ?? 3);
  const stack = await startBotOnlyStack({
    logger: pino({ level: 'silent' }),
    config: { progressMinIntervalMs: 0 },
  });
  try {
    const base = stack.localBot.chat.url;
    // One finished job whose card every conversation shows and refreshes.
    const setup = await Client.open(base, 'local-operator');
    await setup.waitFor(fromBot);
    await setup.post({ type: 'message', text: 'scp export LABA001' });
    await setup.waitFor((a) => fromBot(a) && !!a.attachments?.length);
    const job = (await stack.store.listRecentJobs({ limit: 1 })).items[0];
    if (!job) throw new Error('no job');

    const replyMs: number[] = [];
    const actionMs: number[] = [];
    const outcomes = await Promise.allSettled(
      Array.from({ length: conversations }, async (_, i) => {
        const c = await Client.open(base, `bench-user-${i}`);
        await c.waitFor(fromBot); // welcome
        for (let r = 0; r < rounds; r++) {
          const t0 = performance.now();
          await c.post({ type: 'message', text: r % 2 ? 'jobs' : 'help' });
          await c.waitFor(fromBot);
          replyMs.push(performance.now() - t0);
        }
        await c.post({ type: 'message', text: `job ${job.id}` });
        const cardMsg = await c.waitFor((a) => fromBot(a) && !!a.attachments?.length);
        const card = JSON.stringify(cardMsg.attachments?.[0]?.content ?? {});
        const refresh = (
          JSON.parse(card) as { actions: { title: string; data: Record<string, unknown> }[] }
        ).actions.find((a) => a.title === 'Refresh');
        if (!refresh) throw new Error('no Refresh button');
        for (let r = 0; r < rounds; r++) {
          const t0 = performance.now();
          await c.post({ type: 'message', value: refresh.data });
          await c.waitFor((a) => a.id === cardMsg.id);
          actionMs.push(performance.now() - t0);
        }
      }),
    );
    // Settle every conversation before stopping the stack, then report the first failure.
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(28)} ${String(xs.length).padStart(6)} ${percentile(xs, 50).toFixed(1).padStart(9)} ${percentile(xs, 99).toFixed(1).padStart(9)} ${Math.max(
        ...xs,
      )
        .toFixed(1)
        .padStart(9)}`;
    console.log(
      `bot over the local Direct Line endpoint, ${conversations} concurrent conversations, ${rounds} rounds each`,
    );
    console.log(
      `${'measure'.padEnd(28)} ${'n'.padStart(6)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'max ms'.padStart(9)}`,
    );
    console.log(row('message -> first reply', replyMs));
    console.log(row('card action -> card updated', actionMs));
    console.log(
      JSON.stringify({
        bench: 'bot',
        conversations,
        reply_p50_ms: Number(percentile(replyMs, 50).toFixed(1)),
        reply_p99_ms: Number(percentile(replyMs, 99).toFixed(1)),
        action_p50_ms: Number(percentile(actionMs, 50).toFixed(1)),
        action_p99_ms: Number(percentile(actionMs, 99).toFixed(1)),
      }),
    );
  } finally {
    await stack.close();
  }
}
