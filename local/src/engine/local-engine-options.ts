import type { Clock } from '@rackops/core/ports/clock.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { Logger } from 'pino';
import type { ExecutionRecord } from './execution-record';

/** An in-process Lambda: gets the JSON payload, returns the JSON result or throws (error name = ASL Error). */
export type EngineFunction = (payload: unknown) => Promise<unknown>;

export interface LocalEngineOptions {
  store: Store;
  /** Workflow name -> ASL definition with substitutions already applied. */
  definitions: Record<string, object>;
  /** Function ARN (or bare function name) -> in-process handler. */
  functions: Record<string, EngineFunction>;
  /** Multiplies every ASL duration (HeartbeatSeconds, TimeoutSeconds, Wait, Retry): the lab's convention. @default 1 */
  timeScale?: number;
  /** Floors for scaled heartbeats and timeouts, in real ms (see PrepareOptions). */
  minHeartbeatMs?: number;
  minTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called once an execution ends (not on engine shutdown). The stack fails orphaned jobs from here. */
  onExecutionEnd?: (rec: ExecutionRecord) => Promise<void> | void;
  /** Called on every state entered (what Step Functions bills as a transition): the cost meter, the benches. */
  onTransition?: (state: string) => void;
  /**
   * A directory remembering definitions that passed validation (by content hash), so restarts skip the
   * validator (~1 s per definition: it compiles its JSON schemas on every call).
   */
  validationCacheDir?: string;
}
