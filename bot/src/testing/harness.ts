import type { AdaptiveCard } from '@microsoft/teams-ai';
import { type Activity, type ConversationReference, TestAdapter, type TurnContext } from 'botbuilder';
import type { ResourceResponse } from 'botframework-schema';
import { type Bot, type CreateBotOptions, createBot } from '../app';
import type { ConversationGateway } from '../gateway';

/** A person in the conversation. `id` is the Teams id; `aadObjectId` is what RBAC config and the audit log use. */
export interface ChatUser {
  id: string;
  name: string;
  aadObjectId?: string;
}

export interface TranscriptEntry {
  id: string;
  conversationId: string;
  activity: Partial<Activity>;
  /** Times this message was updated in place. */
  updates: number;
  /** Sent outside a turn (a notification or a background card update). */
  proactive: boolean;
}

/** Records every message per conversation with ids, and applies in-place updates, like a chat client would show. */
class RecordingAdapter extends TestAdapter {
  readonly entries: TranscriptEntry[] = [];
  readonly invokeResponses: Partial<Activity>[] = [];
  private next = 1;

  record(conversationId: string, activity: Partial<Activity>, proactive: boolean): string {
    const id = `m${this.next++}`;
    this.entries.push({ id, conversationId, activity: { ...activity, id }, updates: 0, proactive });
    return id;
  }

  applyUpdate(activity: Partial<Activity>): void {
    const entry = this.entries.find((e) => e.id === activity.id);
    if (!entry) throw new Error(`update of unknown activity ${activity.id}`);
    entry.activity = { ...entry.activity, ...activity };
    entry.updates++;
  }

  override async sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    return activities.map((a) => {
      if (a.type === 'invokeResponse') {
        this.invokeResponses.push(a);
        return { id: '' };
      }
      if (a.type === 'typing' || a.type === 'delay' || a.type === 'trace') return { id: '' };
      return { id: this.record(context.activity.conversation.id, a, false) };
    });
  }

  override async updateActivity(_context: TurnContext, activity: Partial<Activity>): Promise<void> {
    this.applyUpdate(activity);
  }
}

export interface ClickResult {
  /** New messages sent while handling the click. */
  replies: Partial<Activity>[];
  /** The Action.Execute invoke response (Teams), when via 'execute'. */
  invokeResponse?: { status?: number; body?: unknown };
  /** The clicked card's message after the click. */
  card?: AdaptiveCard;
}

export const cardOf = (a: Partial<Activity> | undefined): AdaptiveCard | undefined =>
  a?.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content as
    | AdaptiveCard
    | undefined;

type Json = Record<string, unknown>;

function walk(node: unknown, visit: (n: Json) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
  } else if (node && typeof node === 'object') {
    visit(node as Json);
    for (const v of Object.values(node as Json)) walk(v, visit);
  }
}

/** Every TextBlock's text on a card, in document order (hidden ones too): the card's words, for a test to read. */
export function cardTexts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  walk(card.body ?? [], (n) => {
    if (n.type === 'TextBlock' && typeof n.text === 'string') out.push(n.text);
  });
  return out;
}

/** A reply as a person reads it: its card's words, line by line, or else its text. */
export function replyText(r: Partial<Activity>): string {
  const c = cardOf(r);
  return c ? cardTexts(c).join('\n') : (r.text ?? '');
}

/** Every button on a card (Action.Execute; their fallbacks carry the same data). */
export function cardActions(card: AdaptiveCard): { title: string; verb: string; data: Json }[] {
  const out: { title: string; verb: string; data: Json }[] = [];
  walk(card.actions ?? [], (n) => {
    if (n.type === 'Action.Execute')
      out.push({ title: String(n.title), verb: String(n.verb), data: n.data as Json });
  });
  return out;
}

/** What a client submits for the card's inputs when nobody changes them: each input's current value. */
export function cardInputValues(card: AdaptiveCard): Json {
  const out: Json = {};
  walk(card.body ?? [], (n) => {
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string') {
      out[n.id] = n.value === undefined ? '' : String(n.value);
    }
  });
  return out;
}

/**
 * Drives the real bot (teams-ai Application on botbuilder's TestAdapter) as given users: chat messages and card
 * clicks (as Teams' Action.Execute or Web Chat's Action.Submit fallback). Proactive messages and background
 * card updates land in the same transcript, so a scenario can read what a person would see.
 */
export class BotHarness {
  readonly adapter = new RecordingAdapter();
  readonly bot: Bot;
  /** What the bot sends through outside a turn (proactive messages, card updates): other processes may share it. */
  readonly gateway: ConversationGateway;

  constructor(opts: Omit<CreateBotOptions, 'gateway'>) {
    const adapter = this.adapter;
    this.gateway = {
      async send(ref: Partial<ConversationReference>, activity: Partial<Activity>) {
        return adapter.record(ref.conversation?.id ?? 'unknown', activity, true);
      },
      async update(_ref: Partial<ConversationReference>, activityId: string, activity: Partial<Activity>) {
        adapter.applyUpdate({ ...activity, id: activityId });
      },
    };
    this.bot = createBot({ ...opts, gateway: this.gateway });
  }

  transcript(conversationId = 'conv-1'): TranscriptEntry[] {
    return this.adapter.entries.filter((e) => e.conversationId === conversationId);
  }

  /** Texts sent in a conversation, oldest first. */
  texts(conversationId = 'conv-1'): string[] {
    return this.transcript(conversationId)
      .map((e) => e.activity.text)
      .filter((t): t is string => typeof t === 'string');
  }

  /** The newest message carrying a card, optionally the newest whose card text includes `containing`. */
  lastCard(conversationId = 'conv-1', containing?: string): TranscriptEntry | undefined {
    return [...this.transcript(conversationId)].reverse().find((e) => {
      const c = cardOf(e.activity);
      return c && (!containing || JSON.stringify(c).includes(containing));
    });
  }

  private activity(user: ChatUser, conversationId: string, extra: Partial<Activity>): Partial<Activity> {
    return {
      channelId: 'msteams',
      from: { id: user.id, name: user.name, ...(user.aadObjectId ? { aadObjectId: user.aadObjectId } : {}) },
      recipient: { id: 'rackops-bot', name: 'RackOps' },
      conversation: {
        id: conversationId,
        isGroup: false,
        conversationType: 'personal',
        name: conversationId,
      },
      serviceUrl: 'https://smba.invalid/',
      ...extra,
    };
  }

  private async process(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    const before = this.adapter.entries.length;
    await this.adapter.processActivity(activity, (ctx) => this.bot.run(ctx));
    return this.adapter.entries.slice(before).map((e) => e.activity);
  }

  /** Send a chat message; returns the bot's replies (and any proactive messages sent during the turn). */
  async say(user: ChatUser, text: string, conversationId = 'conv-1'): Promise<Partial<Activity>[]> {
    return this.process(this.activity(user, conversationId, { type: 'message', text }));
  }

  /** Send an arbitrary activity (fuzzing, malformed payloads). */
  async send(
    user: ChatUser,
    extra: Partial<Activity>,
    conversationId = 'conv-1',
  ): Promise<Partial<Activity>[]> {
    return this.process(this.activity(user, conversationId, extra));
  }

  /**
   * Click a button on the card in message `entry` as `user`. `inputs` override the card's current input values.
   * `via: 'execute'` is Teams (Action.Execute invoke); `'submit'` is Web Chat (the Action.Submit fallback).
   */
  async click(
    user: ChatUser,
    entry: TranscriptEntry,
    title: string,
    opts: { inputs?: Json; via?: 'execute' | 'submit'; data?: Json } = {},
  ): Promise<ClickResult> {
    const card = cardOf(entry.activity);
    if (!card) throw new Error(`message ${entry.id} has no card`);
    const button = cardActions(card).find((a) => a.title === title);
    if (!button)
      throw new Error(
        `no button "${title}" on the card; it has ${cardActions(card)
          .map((a) => a.title)
          .join(', ')}`,
      );
    const data = { ...(opts.data ?? button.data), ...cardInputValues(card), ...(opts.inputs ?? {}) };
    return this.submitCardData(user, entry, data, opts.via ?? 'execute', button.verb);
  }

  /** Deliver card data as a click on `entry` (used by click and by tests that forge payloads). */
  async submitCardData(
    user: ChatUser,
    entry: TranscriptEntry,
    data: unknown,
    via: 'execute' | 'submit',
    verb = 'x',
  ): Promise<ClickResult> {
    const invokesBefore = this.adapter.invokeResponses.length;
    const activity: Partial<Activity> =
      via === 'execute'
        ? {
            type: 'invoke',
            name: 'adaptiveCard/action',
            replyToId: entry.id,
            value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
          }
        : { type: 'message', value: data };
    const replies = await this.process(this.activity(user, entry.conversationId, activity));
    const invoke = this.adapter.invokeResponses[invokesBefore]?.value as
      | { status?: number; body?: unknown }
      | undefined;
    const after = this.adapter.entries.find((e) => e.id === entry.id);
    return {
      replies,
      ...(invoke ? { invokeResponse: invoke } : {}),
      ...(cardOf(after?.activity) ? { card: cardOf(after?.activity) } : {}),
    };
  }

  close(): Promise<void> {
    return this.bot.close();
  }
}
