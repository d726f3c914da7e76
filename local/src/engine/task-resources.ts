import { TaskFailedError } from './engine-errors';
import type { EngineFunction } from './local-engine-options';
import type { TaskStateInfo } from './prepare-definition';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/**
 * How a Task state runs locally:
 * - `invoke`: `arn:aws:states:::lambda:invoke` — call FunctionName with Payload; result wrapped like AWS
 *   (`{ Payload, StatusCode, ExecutedVersion }`).
 * - `token`: `…lambda:invoke.waitForTaskToken` — call FunctionName with Payload, then wait for the token.
 * - `direct`: a bare function ARN as Resource — call it with the state input, result unwrapped.
 */
export interface TaskInvocation {
  mode: 'invoke' | 'token' | 'direct';
  fn: EngineFunction;
  payload: unknown;
}

export function resolveTask(
  info: TaskStateInfo,
  input: unknown,
  functions: Record<string, EngineFunction>,
): TaskInvocation {
  if (info.resource === LAMBDA_INVOKE || info.resource === LAMBDA_INVOKE_WAIT) {
    const params = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    if (typeof params.FunctionName !== 'string') {
      throw new TaskFailedError('States.Runtime', `${info.name}: Parameters.FunctionName is missing`);
    }
    return {
      mode: info.resource === LAMBDA_INVOKE ? 'invoke' : 'token',
      fn: lookup(functions, params.FunctionName, info.name),
      payload: params.Payload ?? input,
    };
  }
  if (info.resource.startsWith('arn:aws:lambda:')) {
    return { mode: 'direct', fn: lookup(functions, info.resource, info.name), payload: input };
  }
  throw new TaskFailedError(
    'States.Runtime',
    `${info.name}: resource ${info.resource} is not supported locally`,
  );
}

function lookup(functions: Record<string, EngineFunction>, nameOrArn: string, state: string): EngineFunction {
  const fn = functions[nameOrArn] ?? functions[functionName(nameOrArn)];
  if (!fn)
    throw new TaskFailedError('Lambda.ResourceNotFoundException', `${state}: no local function ${nameOrArn}`);
  return fn;
}

/** `arn:aws:lambda:region:acct:function:name[:qualifier]` -> `name`; a bare name stays as it is. */
export function functionName(nameOrArn: string): string {
  const m = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  return m?.[1] ?? nameOrArn;
}
