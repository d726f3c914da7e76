import { createHash } from 'node:crypto';
import type { AdaptiveCard } from '@microsoft/teams-ai';
import { isTerminal } from '@rackops/core/jobs/job.schema';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { Store } from '@rackops/core/ports/store.port';

type Job = Awaited<ReturnType<Store['getJob']>>;
import { type JobView, getJobView } from '@rackops/core/usecases/job-queries';
import { newId } from '@rackops/core/util/ids';
import { CardFactory } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { renderJobCard } from './cards/job-card';
import { WIZARD_DRAFT_KEY, WizardDraft } from './cards/wizard-draft';
import type { BotConfig } from './config';
import type { ConversationGateway } from './gateway';
import { loadConversation, loadJobCard, saveCardLocation, saveJobCard } from './records';
import type { Sender } from './sender';

export const cardActivity = (card: AdaptiveCard): Partial<Activity> => ({
  type: 'message',
  attachments: [CardFactory.adaptiveCard(card)],
});

export interface JobCardsDeps {
  store: Store;
  config: BotConfig;
  clock: Clock;
  logger: Logger;
  gateway?: ConversationGateway;
}

interface Pending {
  timer?: NodeJS.Timeout;
  last: number;
  notice?: string;
  page?: number;
}

/**
 * The card each job has in its conversation: posted once, then re-rendered from the Store and updated in place.
 * Updates are throttled per job (`progressMinIntervalMs`): bursts collapse into one trailing update, which keeps a
 * busy job well inside Teams' per-conversation rate limits.
 */
export class JobCards {
  private readonly pending = new Map<string, Pending>();
  private readonly lastHash = new Map<string, string>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly chains = new Map<string, Promise<boolean>>();
  /**
   * Views of finished jobs, by job id: the workflow's finish step writes the report and the last steps before the
   * terminal transition, so once a job is terminal its view no longer changes; a Refresh reads the job alone and
   * re-reads the rest only when its version moves.
   */
  private readonly finishedViews = new Map<string, JobView>();
  /** Cards rendered from those views, by job version, card id, conversation, page and notice. */
  private readonly finishedCards = new Map<string, AdaptiveCard>();
  private closed = false;

  constructor(private readonly deps: JobCardsDeps) {}

  async loadDraft(jobId: string): Promise<WizardDraft> {
    const raw = await this.deps.store.getJobItem<unknown>(jobId, 'note', WIZARD_DRAFT_KEY);
    const parsed = WizardDraft.safeParse(raw ?? {});
    return parsed.success ? parsed.data : { hosts: {} };
  }

  /** Render the job's card `cid` for the conversation it is shown in (its actions are signed for that one). */
  async render(
    jobId: string,
    cid: string,
    conversationId: string,
    opts: { page?: number; notice?: string; job?: Promise<Job | undefined> } = {},
  ): Promise<{ card: AdaptiveCard; view: JobView }> {
    const job = await (opts.job ?? this.deps.store.getJob(jobId));
    const cached = this.finishedViews.get(jobId);
    const fromCache = job !== undefined && cached !== undefined && cached.job.version === job.version;
    const view = fromCache ? cached : await getJobView(this.deps.store, jobId, 5, job);
    if (!fromCache && isTerminal(view.job.status)) remember(this.finishedViews, jobId, view);
    const draft = view.job.status === 'paused' ? await this.loadDraft(jobId) : undefined;
    const key = fromCache
      ? JSON.stringify([jobId, view.job.version, cid, conversationId, opts.page ?? 0, opts.notice ?? ''])
      : undefined;
    const card =
      (key !== undefined ? this.finishedCards.get(key) : undefined) ??
      renderJobCard(view, {
        key: { secret: this.deps.config.cardSecret, conversationId },
        cid,
        maxBytes: this.deps.config.maxCardBytes,
        ...(opts.page !== undefined ? { page: opts.page } : {}),
        ...(draft ? { draft } : {}),
        ...(opts.notice ? { notice: opts.notice } : {}),
      });
    if (key !== undefined) remember(this.finishedCards, key, card);
    return { card, view };
  }

  /** Post a new card for the job and make it the one that is kept up to date. */
  async post(sender: Sender, jobId: string, notice?: string): Promise<string | undefined> {
    const cid = newId();
    const { card, view } = await this.render(jobId, cid, sender.conversationId, notice ? { notice } : {});
    const activityId = await sender.send(cardActivity(card));
    if (!activityId) return undefined;
    const now = this.deps.clock.now().getTime();
    await saveCardLocation(
      this.deps.store,
      cid,
      { conversationId: sender.conversationId, activityId, jobId },
      now,
    );
    await saveJobCard(
      this.deps.store,
      jobId,
      {
        cid,
        conversationId: sender.conversationId,
        activityId,
        jobId,
        page: 0,
        final: isTerminal(view.job.status),
      },
      now,
    );
    this.touch(jobId);
    // The job may have moved on between rendering and recording the card (a fast pause); catch up.
    const latest = await this.deps.store.getJob(jobId);
    if (latest && latest.version !== view.job.version)
      await this.updateNow(jobId, { sender }).catch((err) =>
        this.deps.logger.warn({ err, jobId }, 'card catch-up failed'),
      );
    return activityId;
  }

  /**
   * Re-render now through `sender` (in a turn) or the gateway; records the page shown. One update per job at a
   * time, each rendering when its turn comes: a slow earlier update (a progress refresh) must never land after a
   * later one and put an older state back on the card — a finished job shown as still running.
   */
  async updateNow(
    jobId: string,
    opts: { page?: number; notice?: string; sender?: Sender; ifChangedFrom?: string } = {},
  ): Promise<boolean> {
    const prev = this.chains.get(jobId) ?? Promise.resolve(true);
    const next = prev.catch(() => false).then(() => this.updateInTurn(jobId, opts));
    this.chains.set(jobId, next);
    try {
      return await next;
    } finally {
      if (this.chains.get(jobId) === next) this.chains.delete(jobId);
    }
  }

  private async updateInTurn(
    jobId: string,
    opts: { page?: number; notice?: string; sender?: Sender; ifChangedFrom?: string } = {},
  ): Promise<boolean> {
    const rec = await loadJobCard(this.deps.store, jobId);
    if (!rec) return false;
    const page = opts.page ?? rec.page;
    const { card, view } = await this.render(jobId, rec.cid, rec.conversationId, {
      page,
      ...(opts.notice ? { notice: opts.notice } : {}),
    });
    const activity = cardActivity(card);
    // Unchanged card: skip the update (saves the per-conversation rate budget for real changes).
    const hash = createHash('sha256').update(JSON.stringify(card)).digest('base64url');
    if (!opts.sender && (this.lastHash.get(jobId) === hash || opts.ifChangedFrom === hash)) {
      this.lastHash.set(jobId, hash);
      return true;
    }
    this.lastHash.set(jobId, hash);
    if (opts.sender && opts.sender.conversationId === rec.conversationId) {
      await opts.sender.update(rec.activityId, activity);
    } else {
      const ref = await loadConversation(this.deps.store, rec.conversationId);
      if (!ref || !this.deps.gateway) return false;
      await this.deps.gateway.update(ref, rec.activityId, activity);
    }
    const final = isTerminal(view.job.status);
    if (page !== rec.page || final !== rec.final)
      await saveJobCard(this.deps.store, jobId, { ...rec, page, final }, this.deps.clock.now().getTime());
    this.touch(jobId);
    return true;
  }

  /** Hash of the card last sent (or found unchanged) for the job in this process. */
  sentHash(jobId: string): string | undefined {
    return this.lastHash.get(jobId);
  }

  /** Throttled update: at most one per job per `progressMinIntervalMs`, the latest state wins. */
  refresh(jobId: string, opts: { notice?: string; page?: number } = {}): void {
    if (this.closed) return;
    const p = this.pending.get(jobId) ?? { last: 0 };
    if (opts.notice) p.notice = opts.notice;
    if (opts.page !== undefined) p.page = opts.page;
    this.pending.set(jobId, p);
    if (p.timer) return;
    const wait = Math.max(0, p.last + this.deps.config.progressMinIntervalMs - Date.now());
    p.timer = setTimeout(() => {
      p.timer = undefined;
      const { notice, page } = p;
      p.notice = undefined;
      p.page = undefined;
      const work = this.updateNow(jobId, {
        ...(notice ? { notice } : {}),
        ...(page !== undefined ? { page } : {}),
      })
        .catch((err) => this.deps.logger.warn({ err, jobId }, 'job card update failed'))
        .finally(() => this.inflight.delete(work));
      this.inflight.add(work);
    }, wait);
    p.timer.unref?.();
  }

  /**
   * A turn just replaced the job's card with what it rendered. The workflow may have moved on meanwhile (a fast
   * job completes while the click is answered), so forget what was last sent and re-render from the Store soon.
   */
  afterTurnUpdate(jobId: string): void {
    this.lastHash.delete(jobId);
    // Counts as an update now, so the catch-up lands after the turn's own update (Action.Execute applies it late).
    this.touch(jobId);
    this.refresh(jobId);
  }

  private touch(jobId: string): void {
    const p = this.pending.get(jobId) ?? { last: 0 };
    p.last = Date.now();
    this.pending.set(jobId, p);
  }

  /** Job cards not yet final, for a poller that keeps progress current (local stack). */
  async activeJobIds(): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listRecordsByType<{ final?: boolean }>('job-card', {
        limit: 200,
        cursor,
      });
      for (const r of page.items) if (!r.data.final) out.push(r.id);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  /** Wait for updates already under way (the bot's close does, before the Store is stopped). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
  }
}

/** Bounded caches: a long-lived process forgets everything past `limit` entries rather than grow. */
function remember<V>(cache: Map<string, V>, key: string, value: V, limit = 500): void {
  if (cache.size >= limit) cache.clear();
  cache.set(key, value);
}
