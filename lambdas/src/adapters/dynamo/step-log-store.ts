import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  isTerminalStepStatus,
  JobStep,
  LogLine,
  TERMINAL_STEP_STATUSES,
} from '@rackops/core/jobs/job.schema';
import type { StepLogStore } from '@rackops/core/ports/step-log-store.port';
import { newId } from '@rackops/core/util/ids';
import type { TableAccess } from './table-access';
import { assertItemSize, isConditionFailure, jobPk, stripKeys } from './table-items';

/** Every JobStep field: the step write sets each one given and removes each optional one absent. */
const STEP_FIELDS = JobStep.keyof().options;

/** A job's steps (`STEP#key`) and log lines (`LOG#id`), each its own item under the job. */
export function createStepLogStore({ doc, table, iso, query, queryAll }: TableAccess): StepLogStore {
  return {
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
  };
}
