import type { Store } from '@rackops/core/ports/store.port';
import { z } from 'zod';

export const EXECUTION_RECORD_TYPE = 'execution';

export const ExecutionStatus = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/**
 * Where a running execution is: the top-level state it last entered and that state's input. Resume restarts
 * from here; `taskToken` is the token that state's Task was given, re-used on resume so a SendTaskSuccess
 * for it (a relay result, an operator's resolution) still lands after a restart.
 */
export const Checkpoint = z.object({
  state: z.string(),
  input: z.unknown(),
  enteredAt: z.string(),
  taskToken: z.string().optional(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

export const ExecutionRecord = z.object({
  executionId: z.string(),
  workflow: z.string(),
  name: z.string(),
  status: ExecutionStatus,
  input: z.unknown(),
  startedAt: z.string(),
  stoppedAt: z.string().optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  checkpoint: Checkpoint.optional(),
  /** States entered, nested ones included: what AWS bills as state transitions. */
  transitions: z.number().int().nonnegative().default(0),
  /** How many times this execution was resumed after a restart. */
  resumes: z.number().int().nonnegative().default(0),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecord>;

export async function saveExecution(store: Store, rec: ExecutionRecord): Promise<void> {
  await store.putRecord<ExecutionRecord>({
    type: EXECUTION_RECORD_TYPE,
    id: rec.executionId,
    sortKey: rec.startedAt,
    data: rec,
  });
}

export async function loadExecution(store: Store, executionId: string): Promise<ExecutionRecord | undefined> {
  const rec = await store.getRecord<unknown>(EXECUTION_RECORD_TYPE, executionId);
  return rec ? ExecutionRecord.parse(rec.data) : undefined;
}

export async function listRunningExecutions(store: Store): Promise<ExecutionRecord[]> {
  return listExecutions(store, (rec) => rec.status === 'RUNNING');
}

/** Every recorded execution that `keep` accepts (records that do not parse are skipped). */
export async function listExecutions(
  store: Store,
  keep: (rec: ExecutionRecord) => boolean = () => true,
): Promise<ExecutionRecord[]> {
  const found: ExecutionRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecordsByType<unknown>(EXECUTION_RECORD_TYPE, { limit: 100, cursor });
    for (const item of page.items) {
      const rec = ExecutionRecord.safeParse(item.data);
      if (rec.success && keep(rec.data)) found.push(rec.data);
    }
    cursor = page.cursor;
  } while (cursor);
  return found;
}
