import { randomBytes } from 'node:crypto';

export type Activity = Record<string, unknown> & { id?: string; type?: string };

interface Conversation {
  id: string;
  token: string;
  /** Append-only stream; an update appends the new version with the same id (Web Chat replaces it by id). */
  stream: Activity[];
  /** Latest version of each activity, by id (for replies and updates). */
  byId: Map<string, Activity>;
  createdAt: number;
}

/** Conversations Web Chat talks through, in memory. Loopback only, so a restart simply starts new chats. */
export class ConversationStore {
  private readonly conversations = new Map<string, Conversation>();
  private seq = 0;
  /** Per conversation, so an append wakes only that conversation's polls (not every client). */
  private readonly waiters = new Map<string, Set<() => void>>();

  create(): Conversation {
    const id = `local-${randomBytes(8).toString('hex')}`;
    const conv: Conversation = {
      id,
      token: randomBytes(24).toString('base64url'),
      stream: [],
      byId: new Map(),
      createdAt: Date.now(),
    };
    this.conversations.set(id, conv);
    return conv;
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  /**
   * `{ replyToId }` when `id` names a message of the conversation, else nothing. The bot's proactive sends and
   * updates name a made-up continuation activity, and Web Chat holds back for 5 s an activity that replies to one
   * it has never seen.
   */
  replyTo(conv: Conversation, id: unknown): { replyToId?: string } {
    return typeof id === 'string' && conv.byId.has(id) ? { replyToId: id } : {};
  }

  /** Add a new activity; returns its id. */
  append(conv: Conversation, activity: Activity): Activity {
    const id = `${conv.id}|${String(++this.seq).padStart(7, '0')}`;
    const stored: Activity = {
      ...activity,
      id,
      conversation: { id: conv.id },
      timestamp: (activity.timestamp as string | undefined) ?? new Date().toISOString(),
    };
    conv.stream.push(stored);
    conv.byId.set(id, stored);
    this.wake(conv.id);
    return stored;
  }

  /** Replace an activity's content in place; false when unknown. */
  update(conv: Conversation, id: string, activity: Activity): boolean {
    const old = conv.byId.get(id);
    if (!old) return false;
    // Keep identity and time, so the client keeps the message where it was and just redraws it.
    const next: Activity = {
      ...old,
      ...activity,
      id,
      conversation: old.conversation,
      from: old.from,
      timestamp: old.timestamp,
    };
    conv.byId.set(id, next);
    conv.stream.push(next);
    this.wake(conv.id);
    return true;
  }

  /** Activities after the watermark (the stream index). */
  since(conv: Conversation, watermark: number): { activities: Activity[]; watermark: string } {
    const from = Number.isFinite(watermark) && watermark > 0 ? watermark : 0;
    return { activities: conv.stream.slice(from), watermark: String(conv.stream.length) };
  }

  /** Resolve when the conversation gets a new or updated activity (or after `ms`): polls return at once on a reply. */
  waitForChange(conversationId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(conversationId) ?? new Set<() => void>();
      this.waiters.set(conversationId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size) this.waiters.delete(conversationId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  private wake(conversationId: string): void {
    for (const w of [...(this.waiters.get(conversationId) ?? [])]) w();
  }

  wakeAll(): void {
    for (const id of [...this.waiters.keys()]) this.wake(id);
  }
}
