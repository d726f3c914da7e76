import { CreateTableCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDynalite, startDynalite } from '../src/dynalite';
import { AwsMeter } from '../src/metering/aws-meter';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';

let dynalite: RunningDynalite;
beforeAll(async () => {
  dynalite = await startDynalite({});
});
afterAll(async () => {
  await dynalite?.close();
});

describe('AwsMeter', () => {
  it('counts SDK calls by service and operation, and the capacity DynamoDB reports', async () => {
    const meter = new AwsMeter();
    const client = dynalite.client();
    meter.attach(client);
    await client.send(
      new CreateTableCommand({
        TableName: 'meter',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // 1 KB per write unit: a 2.5 KB item costs 3.
    await client.send(
      new PutItemCommand({ TableName: 'meter', Item: { pk: { S: 'a' }, v: { S: 'x'.repeat(2500) } } }),
    );
    await client.send(new PutItemCommand({ TableName: 'meter', Item: { pk: { S: 'b' } } }));
    const got = await client.send(new GetItemCommand({ TableName: 'meter', Key: { pk: { S: 'a' } } }));
    expect(got.Item?.v?.S).toHaveLength(2500);
    await client.send(
      new QueryCommand({
        TableName: 'meter',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'b' } },
      }),
    );
    const s = meter.snapshot();
    expect(s.calls).toEqual({
      'DynamoDB:CreateTable': 1,
      'DynamoDB:GetItem': 1,
      'DynamoDB:PutItem': 2,
      'DynamoDB:Query': 1,
    });
    expect(s.dynamoWriteUnits).toBe(4);
    expect(s.dynamoReadUnits).toBeGreaterThan(0);
    meter.reset();
    expect(meter.snapshot().calls).toEqual({});
  });

  it("counts the Store's table calls (its own client, not the SDK pipeline) once, however often it is attached", async () => {
    const meter = new AwsMeter();
    const client = dynalite.client();
    meter.attach(client);
    meter.attach(client);
    const store = createDynamoStore({ client, tableName: 'meter-store' });
    await store.migrate();
    meter.reset();
    expect(await store.getJob('01NOSUCHJOB')).toBeUndefined();
    await store.putRecord({ type: 'meter-test', id: 'one', data: { v: 'x'.repeat(1500) } });
    const s = meter.snapshot();
    expect(s.calls).toEqual({ 'DynamoDB:GetItem': 1, 'DynamoDB:UpdateItem': 1 });
    expect(s.dynamoReadUnits).toBe(1);
    expect(s.dynamoWriteUnits).toBeGreaterThanOrEqual(2);
  });

  it('times a handler as one Lambda invocation per call, failures included', async () => {
    const meter = new AwsMeter();
    const fn = meter.timed('job-ops', async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      if (ms > 15) throw new Error('boom');
      return ms;
    });
    expect(await fn(10)).toBe(10);
    await expect(fn(20)).rejects.toThrow('boom');
    const use = meter.snapshot().lambdas['job-ops'];
    expect(use?.invocations).toBe(2);
    expect(use?.totalMs).toBeGreaterThanOrEqual(25);
  });
});
