import { Agent, request } from 'node:http';

/** One chat client on the Direct Line 3.0 API, long-polling for activities (what Web Chat does without a websocket). */
export type Activity = {
  id?: string;
  type?: string;
  text?: string;
  from?: { role?: string };
  attachments?: { content?: unknown }[];
};

/**
 * The clients stand in for people's Teams apps, which run on their own machines: here they share the bench's
 * cores with the bot, so each call is a plain keep-alive request (fetch cost about 0.6 ms of CPU per call,
 * three calls a turn, fifty clients at once: a floor under the bot's p99 that was the bench's own).
 */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 256 });

function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; json: () => unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: keepAlive },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) as unknown });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export class DirectLineClient {
  private watermark = 0;
  constructor(
    private readonly base: string,
    readonly conversationId: string,
    private readonly token: string,
    readonly userId: string,
  ) {}

  static async open(base: string, userId: string): Promise<DirectLineClient> {
    const res = await call(`${base}v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: 'Bearer local' },
    });
    const body = res.json() as { conversationId: string; token: string };
    return new DirectLineClient(base, body.conversationId, body.token, userId);
  }

  private headers() {
    return { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' };
  }

  async post(activity: Record<string, unknown>): Promise<void> {
    const res = await call(`${this.base}v3/directline/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ ...activity, from: { id: this.userId, name: this.userId } }),
    });
    if (res.status < 200 || res.status > 299) throw new Error(`post failed: ${res.status}`);
  }

  /** Long-poll until an activity matching `pred` arrives after the current watermark. */
  async waitFor(pred: (a: Activity) => boolean, timeoutMs = 120_000): Promise<Activity> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await call(
        `${this.base}v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`,
        { headers: this.headers() },
      );
      const body = res.json() as { activities: Activity[]; watermark: string };
      this.watermark = Number(body.watermark);
      const hit = body.activities.find(pred);
      if (hit) return hit;
      // The bot's turn failed: say so now rather than wait out the timeout.
      const failed = body.activities.find((a) => fromBot(a) && /^Something went wrong/.test(a.text ?? ''));
      if (failed) throw new Error(`the bot failed a turn: ${failed.text}`);
      if (Date.now() > until) throw new Error('timed out waiting for the bot');
    }
  }
}

export const fromBot = (a: Activity) => a.from?.role === 'bot';
