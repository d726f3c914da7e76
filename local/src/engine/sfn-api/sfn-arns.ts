import { SfnApiError } from './sfn-api-errors';

/**
 * Step Functions ARNs as AWS shapes them, mapped to the local engine's names:
 * `arn:aws:states:<region>:<account>:stateMachine:<workflow>` and
 * `arn:aws:states:<region>:<account>:execution:<workflow>:<execution name>`. The engine's execution ids are
 * already execution ARNs (region `local`, account `000000000000`), so an execution ARN maps to itself.
 */
const ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):(stateMachine|execution):([^:\s]+)(?::([^:\s]+))?$/;

export interface ParsedArn {
  region: string;
  account: string;
  workflow: string;
}

function parse(arn: string, kind: 'stateMachine' | 'execution'): ParsedArn & { name?: string } {
  const m = ARN.exec(arn);
  if (!m || m[3] !== kind || (kind === 'execution') !== (m[5] !== undefined)) {
    throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn.slice(0, 256)}'`);
  }
  return { region: m[1]!, account: m[2]!, workflow: m[4]!, ...(m[5] !== undefined ? { name: m[5] } : {}) };
}

/** The workflow a state machine ARN names; InvalidArn if it is not one. */
export function parseStateMachineArn(arn: string): ParsedArn {
  return parse(arn, 'stateMachine');
}

/** The workflow and execution name an execution ARN names; InvalidArn if it is not one. */
export function parseExecutionArn(arn: string): ParsedArn & { name: string } {
  const p = parse(arn, 'execution');
  return { ...p, name: p.name ?? '' };
}
