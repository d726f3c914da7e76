import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Job } from '@rackops/core/jobs/job.schema';
import { MAX_ITEM_BYTES } from '@rackops/core/store/table-layout';
import { ConflictError, PayloadTooLargeError } from '@rackops/core/util/errors';

/** A raw table item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] as const;

export const jobPk = (id: string) => `JOB#${id}`;
export const recPk = (type: string, id: string) => `REC#${type}#${id}`;
export const JOB_SK = '#JOB';
export const REC_SK = '#REC';

export function stripKeys(item: Item): Item {
  const out: Item = { ...item };
  for (const k of KEY_ATTRS) delete out[k];
  return out;
}

export function sizeOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

export function assertItemSize(what: string, item: Item): void {
  const bytes = sizeOf(item);
  if (bytes > MAX_ITEM_BYTES) throw new PayloadTooLargeError(what, bytes, MAX_ITEM_BYTES);
}

export function encodeCursor(key: Item | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined): Item | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Item;
  } catch {
    // fall through
  }
  throw new ConflictError('invalid page cursor');
}

export const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException ||
  (err instanceof Error && err.name === 'ConditionalCheckFailedException');

/** Job item attributes: the job's own fields plus its index keys (status and schedule, target, recency). */
export function jobItem(job: Job): Item {
  return {
    ...job,
    pk: jobPk(job.id),
    sk: JOB_SK,
    gsi1pk: `STATUS#${job.status}`,
    gsi1sk: `${job.scheduleAt}#${job.id}`,
    gsi2pk: `TARGET#${job.target.kind}#${job.target.id}`,
    gsi2sk: `${job.createdAt}#${job.id}`,
    gsi3pk: 'JOBS',
    gsi3sk: `${job.createdAt}#${job.id}`,
  };
}
