import { type StatePath, hostStepParts, stepKeyFormat } from '../jobs/job-step';
import type { CommandKind } from '../relay/commands';
import type { FromPlan } from './ops/host-plan.op';
import type { JobOpsRequest } from './ops/run-op';

/** An ASL state or state machine as plain JSON (JSONPath dialect). */
export type AslState = Record<string, unknown>;
export interface AslMachine {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

/** Substituted at deploy time (infra's definitionSubstitutions) and by the local stack. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a definition substitution, not a JS template
export const DISPATCH_FN = '${DispatchFunctionArn}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a definition substitution, not a JS template
export const JOB_OPS_FN = '${JobOpsFunctionArn}';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** Transient Lambda service errors are retried; they cost transitions only when they happen. */
const LAMBDA_RETRY = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
  },
];

export const catchAll = (next: string, resultPath: string | null = '$.error') => [
  { ErrorEquals: ['States.ALL'], Next: next, ResultPath: resultPath },
];

/** A path or a literal: keys ending in `.$` are JSONPath. */
type Template = Record<string, unknown>;

export interface DeviceTaskOptions {
  kind: CommandKind;
  /** `{ type, id }` or `{ type, 'id.$': path }`. */
  target: Template;
  params?: Template;
  /** A path (or intrinsic such as States.JsonMerge) giving the params; the dispatcher's zod drops extra keys. */
  paramsPath?: string;
  /** Step item key (may be a States.Format expression via `key.$`) and display name, for the relay dispatch. */
  step: Template;
  timeoutSeconds: number;
  /** Long operations report progress every few seconds; silence this long means the agent is gone. */
  heartbeatSeconds?: number;
  resultPath?: string | null;
  resultSelector?: Template;
  /** What the state passes on (a Parallel branch's last state answers only its part). */
  outputPath?: string;
  next?: string;
  catchTo?: string;
  catchResultPath?: string | null;
  retry?: unknown[];
  /**
   * A host's checkpoint: the dispatch refuses the command when the job has a stop reason (`HostStopRequested`,
   * caught before `catchTo`, the state kept whole except `$.stopped`), e.g. to put the host back as it was.
   */
  stopTo?: string;
  /**
   * Sent only when the boolean at `path` is true (the dispatch checks it: `NotVerified` otherwise, caught before
   * `catchTo` → `elseTo`, the state kept whole): e.g. the exit from maintenance after the reboot's verification.
   */
  onlyIf?: { path: string; elseTo: string };
  /**
   * Params the dispatch takes from the iteration host's 'plan' item (param name → plan list, host at
   * `$.host.hostId`): a host's firmware never rides in the state, and no state of its own loads it.
   */
  fromPlan?: FromPlan['params'];
}

/** A step that touches gear: one relay command sent with a task token (DESIGN §1). */
export function deviceTask(o: DeviceTaskOptions): AslState {
  const state: AslState = {
    Type: 'Task',
    Resource: LAMBDA_INVOKE_WAIT,
    Parameters: {
      FunctionName: DISPATCH_FN,
      Payload: {
        'jobId.$': '$.jobId',
        command: {
          kind: o.kind,
          target: o.target,
          ...(o.paramsPath ? { 'params.$': o.paramsPath } : { params: o.params ?? {} }),
        },
        step: o.step,
        'taskToken.$': '$$.Task.Token',
        ...(o.stopTo ? { stopPoint: true } : {}),
        ...(o.onlyIf ? { 'verified.$': o.onlyIf.path } : {}),
        ...(o.fromPlan ? { fromPlan: { 'hostId.$': '$.host.hostId', params: o.fromPlan } } : {}),
      },
    },
    TimeoutSeconds: o.timeoutSeconds,
  };
  if (o.heartbeatSeconds) state.HeartbeatSeconds = o.heartbeatSeconds;
  if (o.resultSelector) state.ResultSelector = o.resultSelector;
  state.ResultPath = o.resultPath === undefined ? null : o.resultPath;
  if (o.outputPath) state.OutputPath = o.outputPath;
  if (o.retry) state.Retry = o.retry;
  const catches: Record<string, unknown>[] = o.stopTo
    ? [{ ErrorEquals: ['HostStopRequested'], Next: o.stopTo, ResultPath: '$.stopped' }]
    : [];
  if (o.onlyIf) catches.push({ ErrorEquals: ['NotVerified'], Next: o.onlyIf.elseTo, ResultPath: null });
  if (o.catchTo)
    catches.push(...catchAll(o.catchTo, o.catchResultPath === undefined ? '$.error' : o.catchResultPath));
  if (catches.length) state.Catch = catches;
  return withNext(state, o.next);
}

export interface JobOpsTaskOptions {
  /** One of the ops JobOps answers (its request schema's enum). */
  op: JobOpsRequest['op'];
  /** Extra payload fields. The whole state is always sent as `state` so ops never depend on paths existing. */
  args?: Template;
  /** '$' (the op returns the new state: OutputPath takes it out of the Lambda envelope) or a field path. */
  resultPath?: string | null;
  next?: string;
  catchTo?: string;
  catchResultPath?: string | null;
  waitForToken?: { timeoutSeconds: number };
  /** When the state is already small (inside a Map) send only these fields instead of `$`. */
  stateFrom?: string;
}

/** A bookkeeping step on the JobOps Lambda. */
export function jobOpsTask(o: JobOpsTaskOptions): AslState {
  const payload: Template = {
    op: o.op,
    'jobId.$': '$.jobId',
    'state.$': o.stateFrom ?? '$',
    ...(o.args ?? {}),
  };
  const state: AslState = {
    Type: 'Task',
    Resource: o.waitForToken ? LAMBDA_INVOKE_WAIT : LAMBDA_INVOKE,
    Parameters: {
      FunctionName: JOB_OPS_FN,
      Payload: o.waitForToken ? { ...payload, 'taskToken.$': '$$.Task.Token' } : payload,
    },
    // A Lambda runs at most 15 minutes; the engine scales this with the lab's time, so keep it generous.
    TimeoutSeconds: o.waitForToken ? o.waitForToken.timeoutSeconds : 900,
    Retry: LAMBDA_RETRY,
  };
  if (o.resultPath === '$' && !o.waitForToken) {
    // The op returns the whole new state. ResultPath is left out (its default '$' replaces the input):
    // aws-local-stepfunctions 3.0.0 mishandles an explicit "$" there.
    state.OutputPath = '$.Payload';
  } else if (o.resultPath && !o.waitForToken) {
    state.ResultSelector = { 'v.$': '$.Payload' };
    state.ResultPath = o.resultPath;
  } else {
    state.ResultPath = o.resultPath === undefined ? null : o.resultPath;
  }
  if (o.catchTo)
    state.Catch = catchAll(o.catchTo, o.catchResultPath === undefined ? '$.error' : o.catchResultPath);
  return withNext(state, o.next);
}

export function withNext(state: AslState, next?: string): AslState {
  return next ? { ...state, Next: next } : { ...state, End: true };
}

/**
 * The `step` of a host's device task: its key built at run time from the host id at `hostPath` plus `rest`
 * (literals or state paths), by the same definition as the TypeScript `hostStepTemplate`.
 */
export const hostStepTemplate = (
  rest: string | readonly (string | StatePath)[],
  hostPath = '$.host.hostId',
): Template => ({
  'key.$': stepKeyFormat(
    hostStepParts<StatePath>({ path: hostPath }, ...(typeof rest === 'string' ? [rest] : rest)),
  ),
  'hostId.$': hostPath,
});

export function inlineMap(o: {
  itemsPath: string;
  itemSelector: Template;
  maxConcurrency?: number;
  maxConcurrencyPath?: string;
  processor: AslMachine;
  resultPath?: string | null;
  outputPath?: string;
  next?: string;
  catchTo?: string;
}): AslState {
  const state: AslState = {
    Type: 'Map',
    ItemsPath: o.itemsPath,
    ItemSelector: o.itemSelector,
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...o.processor },
    ResultPath: o.resultPath === undefined ? null : o.resultPath,
  };
  if (o.outputPath) state.OutputPath = o.outputPath;
  if (o.maxConcurrencyPath) state.MaxConcurrencyPath = o.maxConcurrencyPath;
  else state.MaxConcurrency = o.maxConcurrency ?? 0;
  if (o.catchTo) state.Catch = catchAll(o.catchTo);
  return withNext(state, o.next);
}
