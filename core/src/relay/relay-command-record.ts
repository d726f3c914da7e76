import { createHash } from 'node:crypto';
import type { StepRef } from '../jobs/job-step';
import type { JobStep } from '../jobs/job.schema';
import type { Clock } from '../ports/clock.port';
import type { Store } from '../ports/store.port';
import { putStep } from '../workflows/ops/progress';
import type { CommandKind } from './commands';
import type { CommandTarget } from './envelope';

/** Store record type for relay commands (one per command id, parent = job id): what was sent, how it ended. */
export const RELAY_COMMAND_TYPE = 'relay-command';

export interface RelayCommandRecord {
  commandId: string;
  jobId?: string;
  kind?: CommandKind;
  target?: CommandTarget;
  status: 'sent' | 'running' | 'succeeded' | 'failed' | 'rejected';
  sentAt?: string;
  lastProgressAt?: string;
  progress?: string;
  percent?: number;
  completedAt?: string;
  durationMs?: number;
  error?: { code: string; message: string };
  /** The job step the workflow named for this command. */
  step?: StepRef;
  /**
   * SHA-256 (hex) of the task token the command carried: a result may answer that token only (the token
   * itself is a bearer credential for the execution and is not stored).
   */
  taskTokenSha256?: string;
}

export const taskTokenSha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Write the command's job step through the workflows' own step writer (same ordering and start-time rules). */
export async function putCommandStep(
  store: Store,
  clock: Clock,
  jobId: string,
  step: StepRef,
  status: JobStep['status'],
  message?: string,
): Promise<void> {
  const deps = { store, clock, notifier: { notify: async () => {} } };
  await putStep(deps, jobId, { ...step, status, ...(message ? { message } : {}) });
}
