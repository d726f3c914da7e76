import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { observeDynamoCalls } from '@rackops/lambdas/adapters/dynamo/lean-client';
/**
 * Counts what the local stack would be billed for on AWS (issue 20's cost model): every AWS SDK call by
 * service and operation (a middleware on each client), DynamoDB capacity units as the table reports them
 * (ReturnConsumedCapacity is asked on every call that supports it; dynalite answers it as DynamoDB does),
 * Step Functions state transitions (the local engine's onTransition), and Lambda invocations with their
 * measured durations (the stack times each handler call). Prices are applied elsewhere (bench/src/cost).
 */

export interface LambdaUse {
  invocations: number;
  totalMs: number;
}

export interface MeterSnapshot {
  /** `Service:Operation` → calls, e.g. `DynamoDB:PutItem`, `SQS:SendMessage`. */
  calls: Record<string, number>;
  /** DynamoDB capacity units: reads (RRU) and writes (WRU), as consumed. */
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  transitions: number;
  /** Per Lambda function (the deployed function's name, e.g. `job-ops`). */
  lambdas: Record<string, LambdaUse>;
}

/** The part of an AWS SDK v3 client the meter needs. */
export interface MeterableClient {
  middlewareStack: {
    add(mw: unknown, opts: { step: 'initialize'; name: string; override?: boolean }): void;
  };
}

const CAPACITY_OPS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
const unitsOf = (c: Capacity): number =>
  Array.isArray(c) ? c.reduce((s, x) => s + (x.CapacityUnits ?? 0), 0) : (c?.CapacityUnits ?? 0);

export class AwsMeter {
  private calls = new Map<string, number>();
  private readUnits = 0;
  private writeUnits = 0;
  private transitionCount = 0;
  private lambdaUse = new Map<string, LambdaUse>();

  /** Count every call `client` makes from now on. */
  attach(client: MeterableClient): void {
    const middleware =
      (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
        context: {
          clientName?: string;
          commandName?: string;
        },
      ) =>
      async (args: { input: Record<string, unknown> }) => {
        const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
        const op = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const key = `${service}:${op}`;
        this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
        const metered = service === 'DynamoDB' && CAPACITY_OPS.has(op);
        if (metered && args.input.ReturnConsumedCapacity === undefined)
          args.input = { ...args.input, ReturnConsumedCapacity: 'TOTAL' };
        const out = await next(args);
        if (metered) {
          const units = unitsOf(out.output.ConsumedCapacity as Capacity);
          if (WRITE_OPS.has(op)) this.writeUnits += units;
          else this.readUnits += units;
        }
        return out;
      };
    client.middlewareStack.add(middleware, { step: 'initialize', name: 'rackopsAwsMeter', override: true });
    // The Store's table calls skip the SDK's middleware (adapters/dynamo/lean-client): counted as it makes them.
    if (client instanceof DynamoDBClient) {
      observeDynamoCalls(client, 'rackopsAwsMeter', async (op, input, call) => {
        const out = await middleware((a) => call(a.input).then((output) => ({ output })), {
          clientName: 'DynamoDBClient',
          commandName: `${op}Command`,
        })({ input });
        return out.output;
      });
    }
  }

  transition(): void {
    this.transitionCount++;
  }

  lambda(name: string, ms: number): void {
    const u = this.lambdaUse.get(name) ?? { invocations: 0, totalMs: 0 };
    u.invocations++;
    u.totalMs += ms;
    this.lambdaUse.set(name, u);
  }

  /** `fn` timed as one invocation of Lambda `name` per call. */
  timed<A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      const started = performance.now();
      try {
        return await fn(...args);
      } finally {
        this.lambda(name, performance.now() - started);
      }
    };
  }

  snapshot(): MeterSnapshot {
    return {
      calls: Object.fromEntries([...this.calls].sort(([a], [b]) => a.localeCompare(b))),
      dynamoReadUnits: this.readUnits,
      dynamoWriteUnits: this.writeUnits,
      transitions: this.transitionCount,
      lambdas: Object.fromEntries([...this.lambdaUse].map(([k, v]) => [k, { ...v }])),
    };
  }

  reset(): void {
    this.calls.clear();
    this.readUnits = 0;
    this.writeUnits = 0;
    this.transitionCount = 0;
    this.lambdaUse.clear();
  }
}
