import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Actor, Job, type JobStatus } from '@rackops/core/jobs/job.schema';
import { type JobEvent, planTransition } from '@rackops/core/jobs/lifecycle';
import type { AuditStore } from '@rackops/core/ports/audit-store.port';
import type { JobFieldsUpdate, JobStore, NewJob } from '@rackops/core/ports/job-store.port';
import type { Page } from '@rackops/core/ports/page';
import { MAX_JOB_DETAILS_BYTES } from '@rackops/core/store/table-layout';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '@rackops/core/util/errors';
import type { TableAccess } from './table-access';
import {
  assertItemSize,
  type Item,
  isConditionFailure,
  JOB_SK,
  jobItem,
  jobPk,
  sizeOf,
  stripKeys,
} from './table-items';

/**
 * The job items: optimistic-concurrency writes of the one `#JOB` item per job (each conditional on the
 * version read), with an audit event per lifecycle step.
 */
export function createJobStore(
  access: TableAccess,
  { recordAudit }: Pick<AuditStore, 'recordAudit'>,
): JobStore {
  const { doc, table, iso, maxRetries, backoff, query } = access;

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

  const jobs: JobStore = {
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
      const page = await jobs.listJobsByStatus('pending', { scheduledBefore: at, limit });
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
  };
  return jobs;
}
