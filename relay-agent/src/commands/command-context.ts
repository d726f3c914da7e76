import type { CommandKind, CommandOutputOf, CommandParamsOf } from '@rackops/core/relay/commands';
import type { CommandTarget } from '@rackops/core/relay/envelope';
import type { Logger } from 'pino';

/** What a handler gets besides its params: identity, cancellation, progress and checkpoints. */
export interface CommandContext {
  readonly commandId: string;
  readonly kind: CommandKind;
  readonly target: CommandTarget;
  readonly jobId: string | undefined;
  /** Aborted on shutdown: stop at the next safe point; the command resumes on redelivery. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Times this command has been started by this agent (1 = first run; more = resumed). */
  readonly attempt: number;
  /**
   * SQS delivered this command before, but this agent's ledger has never seen it: another agent (of a pair on
   * the same queue) received it and died or was stopped mid-command. Its checkpoints are gone with its ledger;
   * a handler doing something that must not happen twice reads the device to tell what was already done.
   */
  readonly takenOver?: boolean;
  readonly pollIntervalMs: number;
  progress(message: string, extra?: { percent?: number; page?: Record<string, unknown> }): Promise<void>;
  /** Checkpoints persisted in the ledger (survive SIGKILL). */
  memo: {
    get<T>(key: string): T | undefined;
    set(key: string, value: unknown): void;
  };
  /** Abortable wait between polls. */
  sleep(ms?: number): Promise<void>;
  now(): Date;
}

export type CommandHandler<K extends CommandKind> = (
  params: CommandParamsOf<K>,
  ctx: CommandContext,
) => Promise<CommandOutputOf<K>>;

export type HandlerRegistry = { [K in CommandKind]?: CommandHandler<K> };
