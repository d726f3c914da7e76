import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ExecutionRecord } from '../execution-record';
import type { LocalEngine } from '../local-engine';
import { SfnApiError } from './sfn-api-errors';
import { parseExecutionArn, parseStateMachineArn } from './sfn-arns';
import {
  DescribeExecutionRequest,
  EXECUTION_NAME,
  ListExecutionsRequest,
  MAX_PAYLOAD_CHARS,
  SendTaskFailureRequest,
  SendTaskHeartbeatRequest,
  SendTaskSuccessRequest,
  StartExecutionRequest,
  StopExecutionRequest,
} from './sfn-requests';

/** One operation: the already JSON-parsed body in, the response body out (or an SfnApiError thrown). */
export type SfnOperation = (body: unknown) => Promise<Record<string, unknown>>;

/** The awsJson protocol's timestamps: epoch seconds, fractions allowed. */
const epochSeconds = (iso: string): number => Date.parse(iso) / 1000;

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'request';
  throw new SfnApiError('ValidationException', `1 validation error detected: ${where}: ${issue?.message}`);
}

/** A JSON document member (input, output): size-limited, and it must parse. */
function parseDocument(text: string, member: string, invalidCode: string): unknown {
  if (text.length > MAX_PAYLOAD_CHARS) {
    throw new SfnApiError('ValidationException', `${member} is longer than ${MAX_PAYLOAD_CHARS} characters`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SfnApiError(invalidCode, `Invalid ${member}: not a JSON document`);
  }
}

/** The operations served, over `engine`. ARNs outside the engine's region and account name nothing here. */
export function createSfnOperations(engine: LocalEngine): Record<string, SfnOperation> {
  const workflowOf = (stateMachineArn: string): string => {
    const { workflow } = parseStateMachineArn(stateMachineArn);
    if (!engine.hasWorkflow(workflow) || engine.stateMachineArn(workflow) !== stateMachineArn) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    return workflow;
  };
  const recordOf = async (executionArn: string): Promise<ExecutionRecord> => {
    const { workflow, name } = parseExecutionArn(executionArn);
    const rec =
      engine.executionArn(workflow, name) === executionArn
        ? await engine.executionRecord(executionArn)
        : undefined;
    if (!rec) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return rec;
  };
  const summary = (rec: ExecutionRecord) => ({
    executionArn: rec.executionId,
    stateMachineArn: engine.stateMachineArn(rec.workflow),
    name: rec.name,
    status: rec.status,
    startDate: epochSeconds(rec.startedAt),
    ...(rec.stoppedAt ? { stopDate: epochSeconds(rec.stoppedAt) } : {}),
  });

  return {
    async StartExecution(body) {
      const req = parseBody(StartExecutionRequest, body);
      const workflow = workflowOf(req.stateMachineArn);
      const name = req.name ?? randomUUID();
      if (!EXECUTION_NAME.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
      const input = parseDocument(req.input ?? '{}', 'input', 'InvalidExecutionInput');
      const { executionId } = await engine.startExecution({ workflow, name, input });
      const rec = await engine.executionRecord(executionId);
      return {
        executionArn: executionId,
        startDate: epochSeconds(rec?.startedAt ?? new Date().toISOString()),
      };
    },

    async DescribeExecution(body) {
      const req = parseBody(DescribeExecutionRequest, body);
      const rec = await recordOf(req.executionArn);
      const succeeded = rec.status === 'SUCCEEDED';
      return {
        ...summary(rec),
        input: JSON.stringify(rec.input ?? {}),
        inputDetails: { included: true },
        ...(succeeded
          ? { output: JSON.stringify(rec.output ?? null), outputDetails: { included: true } }
          : {}),
        ...(rec.error !== undefined ? { error: rec.error } : {}),
        ...(rec.cause !== undefined ? { cause: rec.cause } : {}),
      };
    },

    async StopExecution(body) {
      const req = parseBody(StopExecutionRequest, body);
      await recordOf(req.executionArn);
      // The engine records only a cause for a stop; a given error is folded into it.
      const cause = [req.error, req.cause].filter((s) => s !== undefined && s !== '').join(': ');
      await engine.stopExecution(req.executionArn, cause);
      const after = await engine.executionRecord(req.executionArn);
      return { stopDate: epochSeconds(after?.stoppedAt ?? new Date().toISOString()) };
    },

    async SendTaskSuccess(body) {
      const req = parseBody(SendTaskSuccessRequest, body);
      await engine.sendTaskSuccess(req.taskToken, parseDocument(req.output, 'output', 'InvalidOutput'));
      return {};
    },

    async SendTaskFailure(body) {
      const req = parseBody(SendTaskFailureRequest, body);
      await engine.sendTaskFailure(req.taskToken, req.error ?? '', req.cause ?? '');
      return {};
    },

    async SendTaskHeartbeat(body) {
      const req = parseBody(SendTaskHeartbeatRequest, body);
      await engine.sendTaskHeartbeat(req.taskToken);
      return {};
    },

    async ListExecutions(body) {
      const req = parseBody(ListExecutionsRequest, body);
      if (req.mapRunArn !== undefined) {
        throw new SfnApiError(
          'ValidationException',
          'listing the executions of a Map Run is not supported locally',
        );
      }
      if (req.stateMachineArn === undefined) {
        throw new SfnApiError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
      }
      const workflow = workflowOf(req.stateMachineArn);
      const after = req.nextToken === undefined ? undefined : decodeListToken(req.nextToken);
      const all = (await engine.listExecutions(workflow)).filter(
        (rec) => req.statusFilter === undefined || rec.status === req.statusFilter,
      );
      // Newest first, like AWS; the token is the last key handed out, so new executions do not shift pages.
      const rest = after ? all.filter((rec) => comesAfter(rec, after)) : all;
      const limit = req.maxResults || 100;
      const page = rest.slice(0, limit);
      const last = page.at(-1);
      return {
        executions: page.map(summary),
        ...(rest.length > limit && last ? { nextToken: encodeListToken(last) } : {}),
      };
    },
  };
}

type ListKey = [startedAt: string, executionId: string];

const encodeListToken = (rec: ExecutionRecord): string =>
  Buffer.from(JSON.stringify([rec.startedAt, rec.executionId])).toString('base64url');

function decodeListToken(token: string): ListKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && key.every((k) => typeof k === 'string')) {
      return key as ListKey;
    }
  } catch {
    // falls through to the refusal below
  }
  throw new SfnApiError('InvalidToken', 'Invalid Token: the nextToken was not issued by this API');
}

function comesAfter(rec: ExecutionRecord, [startedAt, id]: ListKey): boolean {
  return rec.startedAt < startedAt || (rec.startedAt === startedAt && rec.executionId < id);
}
