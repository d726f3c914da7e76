import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import { AdaptiveCardActionExecuteResponseType } from '@microsoft/teams-ai/lib/AdaptiveCards.js';
import { Application } from '@microsoft/teams-ai/lib/Application.js';
import type { TurnState } from '@microsoft/teams-ai/lib/TurnState.js';
import type { Clock } from '@rackops/core/ports/clock.port';
import { systemClock } from '@rackops/core/ports/clock.port';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { newId } from '@rackops/core/util/ids';
import { ActivityTypes, TurnContext } from 'botbuilder';
import { type Logger, pino } from 'pino';
import { BotConfig, type BotConfigInput } from './config';
import type { ConversationGateway } from './gateway';
import { type CardResult, handleCardAction } from './handlers/card-actions';
import { handleText } from './handlers/commands';
import { identityRefusal, resolveIdentity } from './identity';
import { JobCards, cardActivity } from './job-cards';
import { ConversationChannel } from './notifier';
import { type GroupResolver, configGroupResolver, roleOf } from './rbac';
import { loadCardLocationOnce, saveConversation } from './records';
import type { BotQueries, BotRuntime, Turn } from './runtime';
import { turnSender } from './sender';

export interface CreateBotOptions {
  config: BotConfigInput;
  store: Store;
  orchestrator: Orchestrator;
  scheduler: Scheduler;
  startJob: UseCaseDeps['startJob'];
  clock?: Clock;
  /** Proactive sends and in-place updates outside a turn; without it, notifications are only logged. */
  gateway?: ConversationGateway;
  resolveGroups?: GroupResolver;
  logger?: Logger;
  queries?: BotQueries;
  /** Channels beside the conversation (Teams channel webhook, e-mail), all through the one pipeline. */
  notificationChannels?: readonly NotificationChannel[];
  /** Told of every dead-lettered delivery. */
  onDeadLetter?: ConstructorParameters<typeof NotificationPipeline>[0]['onDeadLetter'];
}

export interface Bot {
  app: Application<TurnState>;
  /** Implements the Notifier port (the notification pipeline): give it to whatever runs the workflows. */
  notifier: NotificationPipeline;
  jobCards: JobCards;
  runtime: BotRuntime;
  /** Run one incoming activity (what adapter.process / TestAdapter callbacks call). */
  run(ctx: TurnContext): Promise<void>;
  /** No new card updates; resolves when those under way are done (so the Store can be stopped after). */
  close(): Promise<void>;
}

/** Where a turn keeps the records it has read (botbuilder's turnState lives exactly as long as the turn). */
const TURN_READS = Symbol('rackops.turnReads');
function readsOf(ctx: TurnContext): Map<string, Promise<unknown>> {
  let reads = ctx.turnState.get(TURN_READS) as Map<string, Promise<unknown>> | undefined;
  if (!reads) {
    reads = new Map();
    ctx.turnState.set(TURN_READS, reads);
  }
  return reads;
}

/** Writes a turn started without waiting for them: the turn ends only once they are done (Lambda freezes after). */
const TURN_WRITES = Symbol('rackops.turnWrites');
type TurnWrite = Promise<{ what: string; err?: unknown }>;

function afterReply(ctx: TurnContext, what: string, write: Promise<unknown>): void {
  let writes = ctx.turnState.get(TURN_WRITES) as TurnWrite[] | undefined;
  if (!writes) {
    writes = [];
    ctx.turnState.set(TURN_WRITES, writes);
  }
  // Settled into an outcome at once (no unhandled rejection meanwhile); reported when the turn ends.
  writes.push(
    write.then(
      () => ({ what }),
      (err: unknown) => ({ what, err }),
    ),
  );
}

const WELCOME =
  "👋 I'm **RackOps**. I update Dell firmware on VMware clusters and answer in cards. Type `help` to see what I can do.";

export function createBot(opts: CreateBotOptions): Bot {
  const config = BotConfig.parse(opts.config);
  const clock = opts.clock ?? systemClock;
  const logger =
    opts.logger ?? pino({ ...REDACTING_LOGGER, level: process.env.LOG_LEVEL ?? 'info', name: 'bot' });
  const jobCards = new JobCards({
    store: opts.store,
    config,
    clock,
    logger,
    ...(opts.gateway ? { gateway: opts.gateway } : {}),
  });
  // Without a gateway (tests of the grammar) the conversation channel is absent; the others still deliver.
  const notifier = new NotificationPipeline({
    store: opts.store,
    clock,
    logger,
    channels: [
      ...(opts.gateway
        ? [
            new ConversationChannel({
              store: opts.store,
              gateway: opts.gateway,
              jobCards,
              logger,
              cardSecret: config.cardSecret,
            }),
          ]
        : []),
      ...(opts.notificationChannels ?? []),
    ],
    ...(opts.onDeadLetter ? { onDeadLetter: opts.onDeadLetter } : {}),
  });
  const usecases: UseCaseDeps = {
    store: opts.store,
    orchestrator: opts.orchestrator,
    scheduler: opts.scheduler,
    notifier: notifier as Notifier,
    clock,
    startJob: opts.startJob,
  };
  const runtime: BotRuntime = {
    config,
    store: opts.store,
    clock,
    logger,
    usecases,
    jobCards,
    resolveGroups: opts.resolveGroups ?? configGroupResolver(config),
    queries: opts.queries ?? {},
  };

  const app = new Application<TurnState>({
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
    adaptiveCards: { actionExecuteResponseType: AdaptiveCardActionExecuteResponseType.REPLACE_FOR_ALL },
  });

  async function turnFor(ctx: TurnContext): Promise<Turn | undefined> {
    const from = ctx.activity.from;
    if (!from?.id || !ctx.activity.conversation?.id) return undefined;
    // Without the per-message activity id, the reference only changes when the conversation does.
    const { activityId: _ignored, ...ref } = TurnContext.getConversationReference(ctx.activity);
    // Only proactive messages and card updates outside a turn need the record, so the reply does not wait for its
    // write (a conversation's first message would, behind a Store round trip); the turn ends once it is written.
    afterReply(ctx, 'conversation record', saveConversation(opts.store, ref));
    // One person, whichever of their ids this message carries: roles and four-eyes see all of them.
    const identity = resolveIdentity(config, from);
    const chat = {
      id: from.id,
      ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}),
      ...(from.name ? { name: from.name } : {}),
      ids: identity.actor.ids ?? [],
    };
    const replyToId = ctx.activity.replyToId;
    return {
      rt: runtime,
      actor: identity.actor,
      identity,
      role: await roleOf(config, runtime.resolveGroups, chat),
      sender: turnSender(ctx),
      reads: readsOf(ctx),
      ...(typeof replyToId === 'string' && replyToId ? { replyToId: replyToId.slice(0, 200) } : {}),
    };
  }

  async function audit(
    turn: Turn,
    action: string,
    detail: Record<string, unknown>,
    jobId?: string,
  ): Promise<void> {
    await opts.store.recordAudit({
      actor: turn.actor,
      action,
      ...(jobId ? { jobId } : {}),
      detail: { conversationId: turn.sender.conversationId, role: turn.role ?? 'none', ...detail },
    });
  }

  /** Unexpected errors are logged with a reference the person can quote; the bot keeps running. */
  async function guarded(ctx: TurnContext, what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const ref = newId();
      logger.error({ err, ref, what }, 'turn failed');
      await ctx
        .sendActivity(`Something went wrong (reference ${ref}). Nothing further was done.`)
        .catch(() => undefined);
    }
  }

  /**
   * One card action: `deliver` shows its outcome (the updated card, the message) and the audit record is written
   * after it, so the person does not wait for a write that changes nothing they see. A delivery that fails is
   * still audited: the action itself happened.
   */
  async function cardAction(
    ctx: TurnContext,
    data: unknown,
    via: 'execute' | 'submit',
    deliver: (result: CardResult) => Promise<void>,
  ): Promise<void> {
    const turn = await turnFor(ctx);
    if (!turn) return;
    const started = Date.now();
    const result = await handleCardAction(turn, data);
    const ms = Date.now() - started;
    const verb =
      typeof (data as { verb?: unknown } | null)?.verb === 'string'
        ? String((data as { verb: string }).verb).slice(0, 40)
        : 'none';
    try {
      await deliver(result);
    } finally {
      await audit(turn, 'chat.card_action', { verb, via, outcome: result.outcome, ms }, result.jobId);
    }
  }

  app.conversationUpdate('membersAdded', async (ctx) => {
    const added = ctx.activity.membersAdded ?? [];
    if (added.some((m) => m.id !== ctx.activity.recipient?.id))
      await ctx.sendActivity({ type: 'message', text: WELCOME, textFormat: 'markdown' });
  });

  // Teams: Action.Execute. The returned card replaces the one clicked, for everyone.
  app.adaptiveCards.actionExecute(/.*/, async (ctx, _state, data) => {
    let out: string | import('@microsoft/teams-ai').AdaptiveCard = 'Nothing was changed.';
    await guarded(ctx, 'card action', () =>
      cardAction(ctx, data, 'execute', async (result) => {
        if (result.card) {
          if (result.message)
            await ctx.sendActivity({ type: 'message', text: result.message, textFormat: 'markdown' });
          out = result.card;
          if (result.jobId && result.followUp) jobCards.afterTurnUpdate(result.jobId);
        } else out = result.message ?? 'Done.';
      }),
    );
    return out;
  });

  // Web Chat: the Action.Submit fallback of the same action. Update the card's message in place, by id.
  const onSubmit = async (ctx: TurnContext, data: unknown) =>
    guarded(ctx, 'card action', () =>
      cardAction(ctx, data, 'submit', async (result) => {
        if (result.card && result.cid) {
          const loc = await loadCardLocationOnce(opts.store, result.cid, readsOf(ctx));
          const activityId =
            ctx.activity.replyToId ??
            (loc?.conversationId === ctx.activity.conversation.id ? loc.activityId : undefined);
          if (activityId) await ctx.updateActivity({ ...cardActivity(result.card), id: activityId });
          if (result.jobId && result.followUp) jobCards.afterTurnUpdate(result.jobId);
        }
        if (result.message)
          await ctx.sendActivity({ type: 'message', text: result.message, textFormat: 'markdown' });
      }),
    );
  app.adaptiveCards.actionSubmit(/.*/, async (ctx, _state, data) => onSubmit(ctx, data));

  app.activity(ActivityTypes.Message, async (ctx) => {
    const text = ctx.activity.text;
    // A card submit without a string verb lands here: it is still a card action (and is refused as malformed).
    if (!text && ctx.activity.value !== undefined) return onSubmit(ctx, ctx.activity.value);
    await guarded(ctx, 'command', async () => {
      const turn = await turnFor(ctx);
      if (!turn) return;
      const conflict = identityRefusal(turn.identity);
      if (conflict) {
        await audit(turn, 'security.identity_conflict', { ids: turn.actor.ids ?? [], via: 'command' });
        await ctx.sendActivity({ type: 'message', text: conflict, textFormat: 'markdown' });
        return;
      }
      const started = Date.now();
      const result = await handleText(turn, typeof text === 'string' ? text : '');
      await audit(turn, 'chat.command', {
        text: String(text ?? '').slice(0, 300),
        ...result,
        ms: Date.now() - started,
      });
    });
  });

  /** One incoming activity, whichever way it came. */
  async function runTurn(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    // teams-ai's route selectors dereference these values unguarded; answer malformed ones here instead.
    if (a.type === ActivityTypes.Message && !a.text && a.value !== undefined && !isObject(a.value))
      return onSubmit(ctx, a.value);
    if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action' && !isObject(a.value?.action)) {
      await ctx.sendActivity({
        type: 'invokeResponse',
        value: {
          status: 200,
          body: {
            statusCode: 200,
            type: 'application/vnd.microsoft.activity.message',
            value: 'That card action is not valid. Nothing was changed.',
          },
        },
      });
      return;
    }
    await guarded(ctx, 'turn', () => app.run(ctx).then(() => undefined));
  }

  /** The turn's writes after its reply; one that failed is logged (the next message from there writes it again). */
  async function turnWritesDone(ctx: TurnContext): Promise<void> {
    const writes = (ctx.turnState.get(TURN_WRITES) as TurnWrite[] | undefined) ?? [];
    for (const { what, err } of await Promise.all(writes))
      if (err !== undefined) logger.error({ err, what }, 'a write after the reply failed');
  }

  return {
    app,
    notifier,
    jobCards,
    runtime,
    run: async (ctx) => {
      try {
        await runTurn(ctx);
      } finally {
        await turnWritesDone(ctx);
      }
    },
    close: async () => {
      jobCards.close();
      await jobCards.drain();
    },
  };
}
