export const DISPATCH_ARN = 'arn:aws:lambda:local:000000000000:function:dispatch';
export const JOBOPS_ARN = 'arn:aws:lambda:local:000000000000:function:job-ops';

/** A device step as the project's workflows write it: lambda invoke with a task token, heartbeat and timeout. */
export function tokenTask(
  opts: {
    kind?: string;
    heartbeat?: number;
    timeout?: number;
    next?: string;
    resultPath?: string;
    catchAll?: string;
    retry?: object[];
    catch?: object[];
  } = {},
): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: DISPATCH_ARN,
      Payload: {
        'jobId.$': '$.jobId',
        command: { kind: opts.kind ?? 'host.state' },
        'taskToken.$': '$$.Task.Token',
      },
    },
    ...(opts.heartbeat ? { HeartbeatSeconds: opts.heartbeat } : {}),
    ...(opts.timeout ? { TimeoutSeconds: opts.timeout } : {}),
    ResultPath: opts.resultPath ?? '$.result',
    ...(opts.retry ? { Retry: opts.retry } : {}),
    ...(opts.catch ? { Catch: opts.catch } : {}),
    ...(opts.catchAll
      ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: opts.catchAll }] }
      : {}),
    ...(opts.next ? { Next: opts.next } : { End: true }),
  };
}

/** A bookkeeping step: plain lambda invoke of JobOps. */
export function opsTask(op: string, next?: string): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: JOBOPS_ARN, Payload: { op, 'jobId.$': '$.jobId' } },
    ResultSelector: { 'out.$': '$.Payload' },
    ResultPath: `$.${op}`,
    ...(next ? { Next: next } : { End: true }),
  };
}
