import type { Activity } from 'botbuilder';
import type { Job } from '@rackops/core/jobs/job.schema';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { Bot } from '@rackops/bot/app';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import type { Logger } from 'pino';
import type { BotConfigInput } from '@rackops/bot/config';
import {
  BotHarness,
  type ChatUser,
  type TranscriptEntry,
  cardActions,
  cardOf,
} from '@rackops/bot/testing/harness';
import { type AgentProcess, startAgentProcess } from '../runtime/agent-process';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../stack';
import { agentOptionsFor } from './lab-facts';

/**
 * How a scenario talks to RackOps: as an operator in chat (text and card clicks), like a person would. The
 * real bot (teams-ai on botbuilder's TestAdapter, the bot's test harness) runs over the real local stack: dynalite,
 * the SQS emulator, the local Step Functions engine running the real ASL, the relay agent and the lab.
 */
export interface ScenarioDriver {
  stack: LocalStack;
  /** With `agentProcess`: the relay agent's process (a scenario may crash it and put a new one here). */
  agentProcess?: AgentProcess;
  /**
   * Everything the bot sent to the conversation (replies, proactive notifications, card updates), as text.
   * `conversation` defaults to the operator's (`conv-1`); another one is another person's chat with the bot.
   */
  say(text: string, as?: ChatUser, conversation?: string): Promise<string[]>;
  /** Click `title` on the newest card of the conversation whose content includes `containing`. */
  clickCard(
    containing: string,
    title: string,
    opts?: { inputs?: Record<string, string>; as?: ChatUser; conversation?: string },
  ): Promise<string[]>;
  /** Newest card containing `containing`, as JSON text (for checks). */
  cardText(containing: string): string | undefined;
  /** Inputs and buttons of that card. */
  cardInputs(containing: string): { ids: string[]; buttons: string[] };
  /** Wait until the newest job of `type` satisfies `until`. */
  waitForJob(type: Job['type'], until: (j: Job) => boolean, timeoutMs?: number): Promise<Job>;
  notifications: NotificationEvent[];
  /** The bot (its notification pipeline: `bot.notifier`). */
  bot: Bot;
  /** Texts the bot sent to a conversation (replies and proactive messages), oldest first. */
  texts(conversation?: string): string[];
  close(): Promise<void>;
}

export const OPERATOR: ChatUser = { id: '29:oper', name: 'Olga Operator', aadObjectId: 'aad-oper' };
export const APPROVER: ChatUser = { id: '29:appr', name: 'Ada Approver', aadObjectId: 'aad-appr' };

const texts = (acts: Partial<Activity>[]): string[] =>
  acts
    .map((a) => a.text ?? (cardOf(a) ? `[card] ${JSON.stringify(cardOf(a)).slice(0, 400)}` : ''))
    .filter(Boolean);

export interface ScenarioOptions {
  lab?: LabConfigInput;
  timeScale?: number;
  /** Sync vCenter inventory through the bot before handing over. @default true */
  syncInventory?: boolean;
  /** The stack's logger (what `npm start` prints on the console). @default silent */
  logger?: Logger;
  /** The bot's config instead of the scenarios' roles (aad-oper operator, aad-appr approver). */
  botConfig?: BotConfigInput;
  /** Who types and clicks when a call names nobody. @default OPERATOR */
  operator?: ChatUser;
  /** Run the relay agent in a process of its own (one a scenario can SIGKILL), not in the stack's. */
  agentProcess?: boolean;
  /** Teams channel and e-mail beside the conversation (the local stack's, see notify-channels.ts). */
  notificationChannels?: NotificationChannel[];
  /** The local scheduler's clock (a DrivenClock: the scenario decides when schedules come due). */
  schedulerClock?: Clock;
  /** ZFS appliances for the relay agent (the stack's `zfs` option). */
  zfs?: LocalStackOptions['zfs'];
  /** The stack's `schedulerIntervalScale`: recurring schedules run this much faster. */
  schedulerIntervalScale?: number;
}

export async function startScenario(opts: ScenarioOptions = {}): Promise<ScenarioDriver> {
  const notifications: NotificationEvent[] = [];
  let harness: BotHarness | undefined;
  const stack = await startLocalStack({
    lab: opts.lab ?? true,
    timeScale: opts.timeScale ?? 1 / 60,
    ...(opts.agentProcess ? { agent: false } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.schedulerClock ? { schedulerClock: opts.schedulerClock } : {}),
    ...(opts.zfs ? { zfs: opts.zfs } : {}),
    ...(opts.schedulerIntervalScale ? { schedulerIntervalScale: opts.schedulerIntervalScale } : {}),
    notifier: {
      async notify(e) {
        notifications.push(e);
        await harness?.bot.notifier.notify(e);
      },
    },
  });
  // Says which path the orchestrator calls take (the same as `npm start` and AWS: the SFN adapter + SDK).
  console.error(`scenario stack: orchestrator: sfn-api ${stack.config.sfnEndpoint}`);
  let agentProcess: AgentProcess | undefined;
  try {
    if (opts.agentProcess) agentProcess = await startAgentProcess(agentOptionsFor(stack));
    harness = new BotHarness({
      config: opts.botConfig ?? {
        roles: { viewer: [], operator: ['aad-oper'], approver: ['aad-appr'], admin: [] },
        cardSecret: 'scenario-card-secret-0123456789abcdef',
        progressMinIntervalMs: 200,
      },
      store: stack.store,
      orchestrator: stack.orchestrator,
      scheduler: stack.scheduler,
      startJob: stack.startJob,
      ...(opts.notificationChannels ? { notificationChannels: opts.notificationChannels } : {}),
    });
  } catch (err) {
    await agentProcess?.stop();
    await stack.stop();
    throw err;
  }
  const h = harness;
  const operator = opts.operator ?? OPERATOR;
  const newest = (containing: string, conversation = 'conv-1'): TranscriptEntry | undefined =>
    h.lastCard(conversation, containing);

  const driver: ScenarioDriver = {
    ...(agentProcess ? { agentProcess } : {}),
    stack,
    notifications,
    bot: h.bot,
    texts: (conversation = 'conv-1') => h.texts(conversation),
    async say(text, as = operator, conversation = 'conv-1') {
      return texts(await h.say(as, text, conversation));
    },
    async clickCard(containing, title, o = {}) {
      const entry = newest(containing, o.conversation);
      if (!entry) throw new Error(`no card containing "${containing}"`);
      const res = await h.click(o.as ?? operator, entry, title, {
        via: 'submit',
        ...(o.inputs ? { inputs: o.inputs } : {}),
      });
      return texts(res.replies);
    },
    cardText(containing) {
      const e = newest(containing);
      return e ? JSON.stringify(cardOf(e.activity)) : undefined;
    },
    cardInputs(containing) {
      const e = newest(containing);
      const card = e ? cardOf(e.activity) : undefined;
      if (!card) return { ids: [], buttons: [] };
      const ids: string[] = [];
      JSON.stringify(card, (k, v) => {
        if (k === 'id' && typeof v === 'string') ids.push(v);
        return v;
      });
      return { ids, buttons: cardActions(card).map((a) => a.title) };
    },
    async waitForJob(type, until, timeoutMs = 120_000) {
      const end = Date.now() + timeoutMs;
      let last: Job | undefined;
      while (Date.now() < end) {
        const page = await stack.store.listRecentJobs({ limit: 20 });
        last = page.items
          .filter((j) => j.type === type)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
        if (last && until(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `${type} job did not reach the expected state in ${timeoutMs} ms (last: ${last?.status} ${last?.error ?? ''})`,
      );
    },
    async close() {
      await h.close();
      await driver.agentProcess?.stop();
      await stack.stop();
    },
  };
  if (opts.syncInventory !== false) {
    try {
      await driver.say('inventory sync vcenter vc-lab');
      await driver.waitForJob(
        'inventory_sync',
        (j) => j.status === 'completed' || j.status === 'failed',
        60_000,
      );
    } catch (err) {
      await driver.close();
      throw err;
    }
  }
  return driver;
}
