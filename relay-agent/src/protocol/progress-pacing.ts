/** What a command reports while it runs: its news, and how far along it is when it knows. */
export interface ProgressNews {
  readonly message: string;
  readonly percent?: number;
}

export interface ProgressPacingOptions {
  /** At most one message per this many ms (the latest news held back wins). */
  readonly minGapMs: number;
  /** Nothing sent for this long: the news goes out again, as the heartbeat Step Functions waits for. */
  readonly heartbeatMs: number;
  readonly now: () => number;
}

const same = (a: ProgressNews, b: ProgressNews | undefined) =>
  !!b && a.message === b.message && a.percent === b.percent;

/**
 * When a command's progress goes out. Each message is a queue message, a Lambda invocation and Store writes,
 * and handlers poll devices every few seconds (the lab: every 83 ms), mostly finding nothing new:
 * - news goes out at once, or at most one per `minGapMs`, the latest held back winning;
 * - the same news again goes out only as the heartbeat, when nothing went out for `heartbeatMs` (it went out
 *   once per `minGapMs` before: five times the messages for nothing new);
 * - a handler that has gone quiet (a long device call) gets its heartbeat from the ticker: its last news with
 *   how long the command has run.
 */
export class ProgressPacing {
  private sentAt = Number.NEGATIVE_INFINITY;
  private sent: ProgressNews | undefined;
  private held: ProgressNews | undefined;
  private last: ProgressNews = { message: 'started' };
  private offeredAt: number;

  constructor(private readonly o: ProgressPacingOptions) {
    this.offeredAt = o.now();
  }

  /** A handler's news: returned when it is to go out now. */
  offer(news: ProgressNews): ProgressNews | undefined {
    const now = this.heard(news);
    if (same(news, this.sent) && now - this.sentAt < this.o.heartbeatMs) {
      // Back to what was last sent: anything held back is older than that.
      this.held = undefined;
      return undefined;
    }
    if (now - this.sentAt < this.o.minGapMs) {
      this.held = news;
      return undefined;
    }
    return this.mark(news);
  }

  /** A handler's news that is never held back (a data page): it goes out now, and counts as sent. */
  sendNow(news: ProgressNews): ProgressNews {
    this.heard(news);
    return this.mark(news);
  }

  /** On each tick: the news held back once its gap has passed, else the heartbeat when one is due. */
  due(runningSeconds: number): ProgressNews | undefined {
    const now = this.o.now();
    if (this.held && now - this.sentAt >= this.o.minGapMs) return this.mark(this.held);
    if (now - this.sentAt < this.o.heartbeatMs) return undefined;
    const quiet = now - this.offeredAt >= this.o.heartbeatMs;
    return this.mark(
      quiet ? { ...this.last, message: `${this.last.message} (running for ${runningSeconds}s)` } : this.last,
    );
  }

  /** The handler's latest news, and when it said it (a quiet handler's heartbeat says how long it has run). */
  private heard(news: ProgressNews): number {
    this.offeredAt = this.o.now();
    this.last = news;
    return this.offeredAt;
  }

  private mark(news: ProgressNews): ProgressNews {
    this.sentAt = this.o.now();
    this.sent = news;
    this.held = undefined;
    return news;
  }
}
