import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { createAwsClients } from '../src/composition/clients';
import { requireSetting, settingsFromEnv } from '../src/composition/settings';
import executionStatusEntry from '../src/handlers/execution-status.handler';
import { dropThresholdFromEnv } from '../src/handlers/inventory-page.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';

describe('settings', () => {
  it('reads an empty variable as unset and names a missing one', () => {
    const settings = settingsFromEnv({ TABLE_NAME: 'rackops', COMMANDS_QUEUE_URL: '' });
    expect(requireSetting(settings, 'TABLE_NAME')).toBe('rackops');
    expect(() => requireSetting(settings, 'COMMANDS_QUEUE_URL')).toThrow(
      'environment variable COMMANDS_QUEUE_URL is not set',
    );
  });

  it('keeps every variable a function reads (zod drops names the schema lacks)', () => {
    const settings = settingsFromEnv({ INVENTORY_DROP_THRESHOLD_PCT: '35', PRODUCTION_CLUSTERS: '["p"]' });
    expect(dropThresholdFromEnv(settings)).toBe(35);
    expect(settings.PRODUCTION_CLUSTERS).toBe('["p"]');
  });

  it('is the only reader of the environment in lambdas/src', () => {
    const src = fileURLToPath(new URL('../src', import.meta.url));
    const readers = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => readFileSync(join(src, f), 'utf8').includes('process.env'))
      .map((f) => relative(src, join(src, f)));
    expect(readers).toEqual(['composition/settings.ts']);
  });
});

describe('clients', () => {
  it('creates a client on first use only, reads a deferred endpoint then, and reuses it', async () => {
    let asked = 0;
    const clients = createAwsClients({
      region: 'us-east-1',
      services: {
        sfn: {
          endpoint: () => {
            asked++;
            return 'http://127.0.0.1:9';
          },
        },
      },
    });
    expect(asked).toBe(0);
    const sfn = clients.sfn;
    expect(clients.sfn).toBe(sfn);
    expect(asked).toBe(1);
    expect((await sfn.config.endpoint?.())?.hostname).toBe('127.0.0.1');
    clients.destroy();
  });
});

describe('a Lambda entry built from the environment', () => {
  let t: TestStore;
  const saved = { ...process.env };
  beforeAll(async () => {
    t = await startTestStore();
    // What infra sets, plus the SDK's own endpoint variable pointing the default client at dynalite.
    Object.assign(process.env, {
      TABLE_NAME: t.tableName,
      LOG_LEVEL: 'silent',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: t.dynalite.endpoint,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await t.close();
  });

  it('execution-status: fails the job of a failed execution on the table TABLE_NAME names', async () => {
    const job = await t.store.createJob(aJob());
    await t.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, new Date().toISOString());
    // No BOT_SECRET_ARN here: the notifier is unavailable, which is logged and never fails the function.
    const out = await executionStatusEntry({
      source: 'aws.states',
      detail: { executionArn: 'arn:aws:states:us-east-1:1:execution:x:y', name: job.id, status: 'TIMED_OUT' },
    });
    expect(out).toEqual({ failedJob: job.id });
    expect((await t.store.getJob(job.id))?.status).toBe('failed');
  });
});
