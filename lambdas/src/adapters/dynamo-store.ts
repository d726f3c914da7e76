import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type Actor,
  AuditEvent,
  isTerminalStepStatus,
  Job,
  type JobStatus,
  JobStep,
  LogLine,
  TERMINAL_STEP_STATUSES,
} from '@rackops/core/jobs/job.schema';
import { type JobEvent, planTransition } from '@rackops/core/jobs/lifecycle';
import type {
  JobFieldsUpdate,
  JobItemKind,
  NewJob,
  Page,
  PageRequest,
  RecordInput,
  Store,
  StoredRecord,
} from '@rackops/core/ports/store.port';
import { MANIFESTS_SINCE_CREATION } from '@rackops/core/inventory/children-manifest';
import type { RecordBatch } from '@rackops/core/ports/record-batch.port';
import { MAX_ITEM_BYTES, MAX_JOB_DETAILS_BYTES, TABLE_LAYOUT } from '@rackops/core/store/table-layout';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '@rackops/core/util/errors';
import { newId } from '@rackops/core/util/ids';
import { createDynamoRecordBatch } from './dynamo-record-batch';

type Item = Record<string, unknown>;

export interface DynamoStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Optimistic-concurrency retries for writes that did not name an expected version. @default 20 */
  readonly maxRetries?: number;
}

const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] as const;

const jobPk = (id: string) => `JOB#${id}`;
const recPk = (type: string, id: string) => `REC#${type}#${id}`;
const JOB_SK = '#JOB';
const REC_SK = '#REC';

function stripKeys(item: Item): Item {
  const out: Item = { ...item };
  for (const k of KEY_ATTRS) delete out[k];
  return out;
}

function sizeOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function assertItemSize(what: string, item: Item): void {
  const bytes = sizeOf(item);
  if (bytes > MAX_ITEM_BYTES) throw new PayloadTooLargeError(what, bytes, MAX_ITEM_BYTES);
}

function encodeCursor(key: Item | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Item | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Item;
  } catch {
    // fall through
  }
  throw new ConflictError('invalid page cursor');
}

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException ||
  (err instanceof Error && err.name === 'ConditionalCheckFailedException');

/** Job item attributes: the job's own fields plus its index keys (status and schedule, target, recency). */
function jobItem(job: Job): Item {
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

/**
 * The Store on DynamoDB (and on dynalite locally). Single-item conditional writes only: dynalite has no
 * transactions, and each write here is designed so that one conditional item write is enough.
 */
/** Every JobStep field: the step write sets each one given and removes each optional one absent. */
const STEP_FIELDS = JobStep.keyof().options;

/** The Store plus batched record reads and writes (inventory ingestion at scale). */
export type DynamoStore = Store & RecordBatch;

export function createDynamoStore(opts: DynamoStoreOptions): DynamoStore {
  const doc = DynamoDBDocumentClient.from(opts.client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const table = opts.tableName;
  const now = opts.now ?? (() => new Date());
  const maxRetries = opts.maxRetries ?? 20;
  /** Jittered backoff between optimistic retries, so contending writers spread out instead of colliding again. */
  const backoff = (attempt: number) =>
    new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
  const iso = () => now().toISOString();

  async function query(input: Omit<QueryCommandInput, 'TableName'>, page?: PageRequest): Promise<Page<Item>> {
    const res = await doc.send(
      new QueryCommand({
        TableName: table,
        ...input,
        Limit: page?.limit,
        ExclusiveStartKey: decodeCursor(page?.cursor),
      }),
    );
    const cursor = encodeCursor(res.LastEvaluatedKey as Item | undefined);
    return { items: (res.Items ?? []) as Item[], ...(cursor ? { cursor } : {}) };
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const out: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await query(input, { cursor });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  const toJob = (item: Item): Job => Job.parse(stripKeys(item));

  async function getJob(id: string): Promise<Job | undefined> {
    const res = await doc.send(
      new GetCommand({ TableName: table, Key: { pk: jobPk(id), sk: JOB_SK }, ConsistentRead: true }),
    );
    return res.Item ? toJob(res.Item) : undefined;
  }

  async function mustGetJob(id: string): Promise<Job> {
    const job = await getJob(id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  /** Replace the job item if it is still at `expected.version` (and status). Returns false when somebody else won. */
  async function writeJobIf(expected: Job, next: Job): Promise<boolean> {
    const item = jobItem(next);
    assertItemSize(`job ${next.id}`, item);
    try {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: '#v = :v AND #s = :s',
          ExpressionAttributeNames: { '#v': 'version', '#s': 'status' },
          ExpressionAttributeValues: { ':v': expected.version, ':s': expected.status },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async function recordAudit(
    event: Omit<AuditEvent, 'id' | 'at'> & { id?: string; at?: string },
  ): Promise<AuditEvent> {
    const at = event.at ?? iso();
    const audit = AuditEvent.parse({ ...event, id: event.id ?? newId(), at });
    const sk = `${audit.at}#${audit.id}`;
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...audit,
          pk: `AUDIT#${audit.at.slice(0, 10)}`,
          sk,
          gsi2pk: `ACTOR#${audit.actor.id}`,
          gsi2sk: sk,
          ...(audit.jobId ? { gsi3pk: `JOBAUDIT#${audit.jobId}`, gsi3sk: sk } : {}),
        },
      }),
    );
    return audit;
  }

  async function transitionJob(id: string, event: JobEvent, expectedVersion?: number): Promise<Job> {
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const job = await mustGetJob(id);
      if (expectedVersion !== undefined && job.version !== expectedVersion) {
        throw new ConflictError(`job ${id} is at version ${job.version}, not ${expectedVersion}`);
      }
      const at = iso();
      // Throws InvalidTransitionError before anything is written.
      const patch = planTransition(job, event, at);
      const { clear, ...fields } = patch;
      const next: Job = { ...job, ...fields, version: job.version + 1, updatedAt: at };
      for (const k of clear) delete next[k];
      if (event.type === 'start' && next.cancelRequested) delete next.cancelRequested;
      if (await writeJobIf(job, next)) {
        // Deterministic id: a retried transition records its audit event once.
        await recordAudit({
          id: `${id}-v${next.version}`,
          at,
          actor: event.actor,
          action: `job.${event.type}`,
          jobId: id,
          target: `${job.target.kind}:${job.target.id}`,
          from: job.status,
          to: next.status,
          ...(event.type === 'pause' ? { detail: { reason: event.reason, kind: event.kind } } : {}),
          ...(event.type === 'resume' && event.resolutionId
            ? { detail: { resolutionId: event.resolutionId } }
            : {}),
          ...(event.type === 'resume' && event.force ? { detail: { forced: true } } : {}),
          ...(event.type === 'fail' ? { detail: { error: event.error } } : {}),
        });
        return next;
      }
      if (expectedVersion !== undefined)
        throw new ConflictError(`job ${id} changed while it was being updated`);
      await backoff(attempt);
    }
    throw new ConflictError(`job ${id}: too much contention, gave up after ${maxRetries + 1} attempts`);
  }

  async function claimJob(id: string, actor: Actor, at: string): Promise<Job | undefined> {
    const job = await getJob(id);
    if (job?.status !== 'pending' || job.scheduleAt > at) return undefined;
    // Four-eyes is enforced here too, not only by the callers: a job awaiting approval cannot be claimed.
    if (job.requiresApproval && !job.approvedBy) return undefined;
    const patch = planTransition(job, { type: 'start', actor }, at);
    const { clear: _clear, ...fields } = patch;
    const next: Job = { ...job, ...fields, version: job.version + 1, updatedAt: at };
    // One conditional write decides the winner: the job must still be pending at the version we read.
    if (!(await writeJobIf(job, next))) return undefined;
    await recordAudit({
      id: `${id}-v${next.version}`,
      at,
      actor,
      action: 'job.start',
      jobId: id,
      target: `${job.target.kind}:${job.target.id}`,
      from: 'pending',
      to: 'running',
    });
    return next;
  }

  async function updateJob(id: string, fields: JobFieldsUpdate, expectedVersion?: number): Promise<Job> {
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const job = await mustGetJob(id);
      if (expectedVersion !== undefined && job.version !== expectedVersion) {
        throw new ConflictError(`job ${id} is at version ${job.version}, not ${expectedVersion}`);
      }
      const details = fields.details ? { ...job.details, ...fields.details } : job.details;
      const bytes = sizeOf(details);
      if (bytes > MAX_JOB_DETAILS_BYTES)
        throw new PayloadTooLargeError(`job ${id} details`, bytes, MAX_JOB_DETAILS_BYTES);
      const next: Job = Job.parse({ ...job, ...fields, details, version: job.version + 1, updatedAt: iso() });
      if (await writeJobIf(job, next)) return next;
      if (expectedVersion !== undefined)
        throw new ConflictError(`job ${id} changed while it was being updated`);
      await backoff(attempt);
    }
    throw new ConflictError(`job ${id}: too much contention, gave up after ${maxRetries + 1} attempts`);
  }

  const jobPage = async (p: Promise<Page<Item>>): Promise<Page<Job>> => {
    const page = await p;
    return { ...page, items: page.items.map(toJob) };
  };

  const recordFrom = <T>(item: Item): StoredRecord<T> => {
    const { pk: _pk, sk: _sk, ...rest } = item;
    return stripKeys(rest) as unknown as StoredRecord<T>;
  };

  const notExpired = (item: Item): boolean => {
    const exp = item.expiresAt;
    return typeof exp !== 'number' || exp > now().getTime() / 1000;
  };

  const store: Store = {
    async migrate() {
      const attrs = new Set<string>(['pk', 'sk']);
      for (const ix of TABLE_LAYOUT.indexes) {
        attrs.add(ix.partitionKey);
        attrs.add(ix.sortKey);
      }
      let created = false;
      try {
        await opts.client.send(
          new CreateTableCommand({
            TableName: table,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: TABLE_LAYOUT.indexes.map((ix) => ({
              IndexName: ix.name,
              KeySchema: [
                { AttributeName: ix.partitionKey, KeyType: 'HASH' },
                { AttributeName: ix.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            })),
          }),
        );
        created = true;
      } catch (err) {
        if (
          !(
            err instanceof ResourceInUseException ||
            (err instanceof Error && err.name === 'ResourceInUseException')
          )
        ) {
          throw err;
        }
      }
      for (let i = 0; i < 600; i++) {
        const res = await opts.client.send(new DescribeTableCommand({ TableName: table }));
        const indexesActive = (res.Table?.GlobalSecondaryIndexes ?? []).every(
          (g) => g.IndexStatus === 'ACTIVE',
        );
        if (res.Table?.TableStatus === 'ACTIVE' && indexesActive) {
          // A new table holds only groups ingested with children manifests (core/src/inventory/children-manifest.ts).
          if (created) await store.putRecord({ ...MANIFESTS_SINCE_CREATION, data: {} });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`table ${table} did not become ACTIVE`);
    },

    async createJob(input: NewJob): Promise<Job> {
      const at = iso();
      const job = Job.parse({ ...input, status: 'pending', version: 0, updatedAt: at });
      const detailBytes = sizeOf(job.details);
      if (detailBytes > MAX_JOB_DETAILS_BYTES) {
        throw new PayloadTooLargeError(`job ${job.id} details`, detailBytes, MAX_JOB_DETAILS_BYTES);
      }
      const item = jobItem(job);
      assertItemSize(`job ${job.id}`, item);
      try {
        await doc.send(
          new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
      } catch (err) {
        if (isConditionFailure(err)) throw new ConflictError(`job ${job.id} already exists`);
        throw err;
      }
      await recordAudit({
        id: `${job.id}-v0`,
        at,
        actor: job.createdBy,
        action: 'job.create',
        jobId: job.id,
        target: `${job.target.kind}:${job.target.id}`,
        to: 'pending',
        detail: { type: job.type, scheduleAt: job.scheduleAt },
      });
      return job;
    },

    getJob,
    transitionJob,
    claimJob,
    updateJob,

    listJobsByStatus(status: JobStatus, page) {
      const before = page?.scheduledBefore;
      return jobPage(
        query(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: before ? 'gsi1pk = :p AND gsi1sk <= :b' : 'gsi1pk = :p',
            ExpressionAttributeValues: {
              ':p': `STATUS#${status}`,
              ...(before ? { ':b': `${before}#~` } : {}),
            },
          },
          page,
        ),
      );
    },

    async listDueJobs(at: string, limit = 100) {
      const page = await store.listJobsByStatus('pending', { scheduledBefore: at, limit });
      return page.items.filter((j) => j.scheduleAt <= at);
    },

    listJobsByTarget(kind, id, page) {
      return jobPage(
        query(
          {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :p',
            ExpressionAttributeValues: { ':p': `TARGET#${kind}#${id}` },
            ScanIndexForward: false,
          },
          page,
        ),
      );
    },

    listRecentJobs(page) {
      return jobPage(
        query(
          {
            IndexName: 'gsi3',
            KeyConditionExpression: 'gsi3pk = :p',
            ExpressionAttributeValues: { ':p': 'JOBS' },
            ScanIndexForward: false,
          },
          page,
        ),
      );
    },

    async putStep(input) {
      const step = JobStep.parse({ ...input, updatedAt: iso() });
      assertItemSize(`step ${step.key}`, { ...step, pk: jobPk(step.jobId), sk: `STEP#${step.key}` });
      // One UpdateItem: the step's fields as given (optional ones absent are removed, as a put would), and
      // without a startedAt the stored one stays (or the step starts now) — no read, no second item.
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const set: string[] = [];
      const remove: string[] = [];
      for (const field of STEP_FIELDS) {
        names[`#${field}`] = field;
        const value = step[field];
        if (value !== undefined) {
          values[`:${field}`] = value;
          set.push(`#${field} = :${field}`);
        } else if (field === 'startedAt') {
          values[':startedAt'] = step.updatedAt;
          set.push('#startedAt = if_not_exists(#startedAt, :startedAt)');
        } else remove.push(`#${field}`);
      }
      // Status order: a step that has ended is never put back to pending/running by a late write (a dispatch's
      // `running` landing after its own result's `completed`). Terminal over terminal is allowed (a re-run).
      const ordered = !isTerminalStepStatus(step.status);
      const terminal: string[] = [];
      if (ordered)
        TERMINAL_STEP_STATUSES.forEach((s, i) => {
          values[`:terminal${i}`] = s;
          terminal.push(`:terminal${i}`);
        });
      const key = { pk: jobPk(step.jobId), sk: `STEP#${step.key}` };
      try {
        const res = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ...(ordered
              ? {
                  ConditionExpression: `attribute_not_exists(#status) OR NOT (#status IN (${terminal.join(', ')}))`,
                }
              : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return JobStep.parse(stripKeys(res.Attributes ?? {}));
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // The stale write is dropped; the caller gets the step as it stands.
        const current = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
        return JobStep.parse(stripKeys(current.Item ?? {}));
      }
    },

    async listSteps(jobId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': jobPk(jobId), ':s': 'STEP#' },
        ConsistentRead: true,
      });
      return items
        .map((i) => JobStep.parse(stripKeys(i)))
        .sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : 1));
    },

    async appendLog(input) {
      const line = LogLine.parse({ ...input, id: newId(), at: input.at ?? iso() });
      // Each line is its own item under a monotonic id: appends never contend with each other or with the job item.
      await doc.send(
        new PutCommand({ TableName: table, Item: { ...line, pk: jobPk(line.jobId), sk: `LOG#${line.id}` } }),
      );
      return line;
    },

    async listLog(jobId, page) {
      const after = page?.after;
      const res = await query(
        {
          KeyConditionExpression: after
            ? 'pk = :p AND sk BETWEEN :a AND :z'
            : 'pk = :p AND begins_with(sk, :s)',
          ExpressionAttributeValues: after
            ? { ':p': jobPk(jobId), ':a': `LOG#${after}`, ':z': 'LOG#~' }
            : { ':p': jobPk(jobId), ':s': 'LOG#' },
          ConsistentRead: true,
        },
        page,
      );
      const items = res.items
        .filter((i) => String(i.sk).startsWith('LOG#') && i.id !== after)
        .map((i) => LogLine.parse(stripKeys(i)));
      return { items, ...(res.cursor ? { cursor: res.cursor } : {}) };
    },

    recordAudit,

    async listAuditByTime(day, page) {
      const res = await query(
        { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `AUDIT#${day}` } },
        page,
      );
      return { ...res, items: res.items.map((i) => AuditEvent.parse(stripKeys(i))) };
    },

    async listAuditByActor(actorId, page) {
      const res = await query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :p',
          ExpressionAttributeValues: { ':p': `ACTOR#${actorId}` },
        },
        page,
      );
      return { ...res, items: res.items.map((i) => AuditEvent.parse(stripKeys(i))) };
    },

    async listAuditByJob(jobId) {
      const items = await queryAll({
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :p',
        ExpressionAttributeValues: { ':p': `JOBAUDIT#${jobId}` },
      });
      return items.map((i) => AuditEvent.parse(stripKeys(i)));
    },

    async putJobItem<T>(jobId: string, kind: JobItemKind, key: string, data: T) {
      const item = { pk: jobPk(jobId), sk: `ITEM#${kind}#${key}`, key, data, updatedAt: iso() };
      assertItemSize(`${kind} ${key} of job ${jobId}`, item);
      await doc.send(new PutCommand({ TableName: table, Item: item }));
    },

    async getJobItem<T>(jobId: string, kind: JobItemKind, key: string) {
      const res = await doc.send(
        new GetCommand({
          TableName: table,
          Key: { pk: jobPk(jobId), sk: `ITEM#${kind}#${key}` },
          ConsistentRead: true,
        }),
      );
      return res.Item ? (res.Item.data as T) : undefined;
    },

    async listJobItems<T>(jobId: string, kind: JobItemKind) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': jobPk(jobId), ':s': `ITEM#${kind}#` },
        ConsistentRead: true,
      });
      return items.map((i) => ({ key: String(i.key), data: i.data as T }));
    },

    async deleteJobItem(jobId, kind, key) {
      await doc.send(
        new DeleteCommand({ TableName: table, Key: { pk: jobPk(jobId), sk: `ITEM#${kind}#${key}` } }),
      );
    },

    async putRecord<T>(
      rec: RecordInput<T>,
      o?: { ifHashDiffers?: boolean; ifVersion?: number; ifAbsent?: boolean },
    ) {
      // One conditional UpdateItem, no read: the version is bumped by ADD, and "unchanged" is a failed condition
      // on the hash. Full inventory syncs write tens of thousands of records, so a read per write would double them.
      const set: Record<string, unknown> = {
        type: rec.type,
        id: rec.id,
        data: rec.data,
        gone: rec.gone ?? false,
        updatedAt: iso(),
        gsi1pk: `TYPE#${rec.type}`,
        gsi1sk: rec.sortKey ?? rec.id,
      };
      const remove: string[] = [];
      const optional = {
        parent: rec.parent,
        gsi2pk: rec.parent !== undefined ? `PARENT#${rec.type}#${rec.parent}` : undefined,
        gsi2sk: rec.parent !== undefined ? rec.id : undefined,
        sortKey: rec.sortKey,
        hash: rec.hash,
        expiresAt: rec.expiresAt,
      };
      for (const [k, v] of Object.entries(optional)) {
        if (v === undefined) remove.push(k);
        else set[k] = v;
      }
      assertItemSize(`${rec.type} ${rec.id}`, { ...set, pk: recPk(rec.type, rec.id), sk: REC_SK });

      const names: Record<string, string> = { '#ver': 'version' };
      const values: Item = { ':one': 1 };
      const assignments = Object.entries(set).map(([k, v], i) => {
        names[`#a${i}`] = k;
        values[`:a${i}`] = v;
        return `#a${i} = :a${i}`;
      });
      const removals = remove.map((k, i) => {
        names[`#r${i}`] = k;
        return `#r${i}`;
      });
      const conditions: string[] = [];
      if (o?.ifAbsent) conditions.push('attribute_not_exists(pk)');
      if (o?.ifVersion !== undefined) {
        conditions.push('#ver = :expected');
        values[':expected'] = o.ifVersion;
      }
      if (o?.ifHashDiffers && rec.hash !== undefined) {
        // Unchanged = same hash and not marked gone; such a record is not written at all.
        conditions.push('(attribute_not_exists(pk) OR #hh <> :hh OR #gg = :true)');
        names['#hh'] = 'hash';
        names['#gg'] = 'gone';
        values[':hh'] = rec.hash;
        values[':true'] = true;
      }
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: recPk(rec.type, rec.id), sk: REC_SK },
            UpdateExpression:
              `SET ${assignments.join(', ')} ADD #ver :one` +
              (removals.length ? ` REMOVE ${removals.join(', ')}` : ''),
            ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) {
          if (o?.ifHashDiffers && o.ifVersion === undefined && !o.ifAbsent) return 'unchanged';
          throw new ConflictError(`${rec.type} ${rec.id} was changed by someone else`);
        }
        throw err;
      }
      return 'written';
    },

    async getRecord<T>(type: string, id: string) {
      const res = await doc.send(
        new GetCommand({ TableName: table, Key: { pk: recPk(type, id), sk: REC_SK }, ConsistentRead: true }),
      );
      if (!res.Item || !notExpired(res.Item)) return undefined;
      return recordFrom<T>(res.Item);
    },

    async listRecordsByType<T>(
      type: string,
      page?: PageRequest & { sortKeyBefore?: string; includeGone?: boolean },
    ) {
      const before = page?.sortKeyBefore;
      const res = await query(
        {
          IndexName: 'gsi1',
          KeyConditionExpression: before ? 'gsi1pk = :p AND gsi1sk <= :b' : 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': `TYPE#${type}`, ...(before ? { ':b': before } : {}) },
        },
        page,
      );
      const items = res.items
        .filter((i) => notExpired(i) && (page?.includeGone || i.gone !== true))
        .map(recordFrom<T>);
      return { items, ...(res.cursor ? { cursor: res.cursor } : {}) };
    },

    async listRecordsByParent<T>(
      type: string,
      parent: string,
      page?: PageRequest & { includeGone?: boolean },
    ) {
      const res = await query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :p',
          ExpressionAttributeValues: { ':p': `PARENT#${type}#${parent}` },
        },
        page,
      );
      const items = res.items
        .filter((i) => notExpired(i) && (page?.includeGone || i.gone !== true))
        .map(recordFrom<T>);
      return { items, ...(res.cursor ? { cursor: res.cursor } : {}) };
    },

    async listRecordHashes(type, parent) {
      const items = await queryAll({
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': `PARENT#${type}#${parent}` },
        ProjectionExpression: '#i, #h, #g',
        ExpressionAttributeNames: { '#i': 'id', '#h': 'hash', '#g': 'gone' },
      });
      const out = new Map<string, { hash?: string; gone?: boolean }>();
      for (const i of items) {
        out.set(String(i.id), {
          ...(typeof i.hash === 'string' ? { hash: i.hash } : {}),
          ...(i.gone === true ? { gone: true } : {}),
        });
      }
      return out;
    },

    async markRecordGone(type, id) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: recPk(type, id), sk: REC_SK },
            UpdateExpression: 'SET gone = :t, updatedAt = :u ADD version :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':t': true, ':u': iso(), ':one': 1 },
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) throw new NotFoundError(type, id);
        throw err;
      }
    },

    async deleteRecord(type, id) {
      await doc.send(new DeleteCommand({ TableName: table, Key: { pk: recPk(type, id), sk: REC_SK } }));
    },
  };
  return Object.assign(store, createDynamoRecordBatch({ doc, tableName: table, now }));
}
