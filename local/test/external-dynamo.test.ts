import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { externalDynamo, type RunningDynalite, startDynalite } from '../src/dynalite';
import { startLocalStack } from '../src/stack';

/**
 * The local stack on a DynamoDB endpoint another process serves (the rollout bench runs dynalite in a process
 * of its own, as DynamoDB is never on the orchestrator's event loop): used, not started, and left running.
 */
let served: RunningDynalite;
beforeAll(async () => {
  served = await startDynalite();
});
afterAll(async () => {
  await served?.close();
});

describe('an external DynamoDB endpoint', () => {
  it('keeps the stack on it, and stays up when the stack stops', async () => {
    const stack = await startLocalStack({ dynamoEndpoint: served.endpoint });
    let jobId: string;
    try {
      expect(stack.config.dynamoEndpoint).toBe(served.endpoint);
      jobId = (await stack.store.createJob(aJob())).id;
    } finally {
      await stack.stop();
    }
    // The table and the job are where the endpoint serves them, after the stack has gone.
    const client = served.client();
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain(stack.config.tableName);
    const again = await startLocalStack({ dynamoEndpoint: served.endpoint });
    try {
      expect((await again.store.getJob(jobId))?.id).toBe(jobId);
    } finally {
      await again.stop();
    }
  });

  it('is a loopback http endpoint or refused', () => {
    expect(() => externalDynamo('http://10.0.0.5:8000')).toThrow(/loopback/);
    expect(() => externalDynamo('https://127.0.0.1:8000')).toThrow(/loopback/);
    expect(externalDynamo('http://127.0.0.1:8000').endpoint).toBe('http://127.0.0.1:8000');
  });
});
