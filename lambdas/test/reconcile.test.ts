import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCHEDULE_RECORD_TYPE, createLocalScheduler } from '@rackops/local/scheduler/local-scheduler';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkResponseUrl,
  createReconcileHandler,
  deploymentConfigFromEnv,
  reconcileDeployment,
} from '../src/handlers/reconcile.handler';
import { createWindowStore } from '@rackops/core/windows/window-store';
import { makeWindow } from '../../core/test/windows/window-factory';
import { type TestStore, startTestStore } from './helpers/dynalite-store';

// CloudFormation's side of a custom resource: a local endpoint that keeps each PUT answer.
let t: TestStore;
let server: Server;
let responseUrl: string;
const answers: Record<string, unknown>[] = [];
beforeAll(async () => {
  t = await startTestStore();
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += String(c);
    });
    req.on('end', () => {
      answers.push({ method: req.method, ...(JSON.parse(body) as Record<string, unknown>) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?sig=x`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await t?.close();
});

const scheduler = () => createLocalScheduler({ store: t.store, fire: async () => undefined });
const cfnEvent = (RequestType: string, extra: Record<string, unknown> = {}) => ({
  RequestType,
  ResponseURL: responseUrl,
  StackId: 'arn:aws:cloudformation:local:000000000000:stack/rackops-stateless/1',
  RequestId: `req-${RequestType}-${answers.length}`,
  LogicalResourceId: 'ReconcileOnDeploy',
  ResourceType: 'Custom::RackOpsReconcile',
  ResourceProperties: {},
  ...extra,
});
const schedule = (name: string) => t.store.getRecord(SCHEDULE_RECORD_TYPE, name);

describe('reconcileDeployment (npm start at boot, AWS on deploy and daily)', () => {
  it('creates one recurring schedule per source; a second run changes nothing', async () => {
    const cfg = { inventory: { everyMinutes: 30, vcenters: ['vc-rec-1'], omes: ['ome-rec-1'] } };
    const first = await reconcileDeployment(scheduler(), cfg);
    expect(first.inventorySchedules).toHaveLength(2);
    for (const name of first.inventorySchedules) expect(await schedule(name)).toBeDefined();
    const again = await reconcileDeployment(scheduler(), cfg);
    expect(again.inventorySchedules).toEqual(first.inventorySchedules);
  });

  it('with the store: every stored window gets its one schedule back, an orphan window schedule goes', async () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const windows = createWindowStore(t.store, () => now);
    await windows.createWindow(
      makeWindow({ windowId: 'REC-W1', targets: { clusters: ['c-rec-1'], hosts: [] } }),
    );
    const s = scheduler();
    await s.scheduleAt({
      name: 'window-REC-GONE',
      at: '2026-12-20T00:00:00Z',
      target: { kind: 'window', windowId: 'REC-GONE' },
    });
    const r = await reconcileDeployment(s, { inventory: {} }, { store: t.store, now: () => now });
    expect(r.windows?.armed).toContain('REC-W1');
    expect(r.windows?.deleted).toContain('window-REC-GONE');
    // Sunday 02:00 Berlin after Wednesday 2 December: 6 December, 01:00 UTC.
    expect((await schedule('window-REC-W1'))?.data).toMatchObject({
      next: '2026-12-06T01:00:00.000Z',
      target: { kind: 'window', windowId: 'REC-W1' },
    });
    expect(await schedule('window-REC-GONE')).toBeUndefined();
    expect(await s.names?.('window-')).not.toContain('window-REC-GONE');
  });

  it('refuses a bad config and creates nothing', async () => {
    await expect(
      reconcileDeployment(scheduler(), { inventory: { everyMinutes: 1, vcenters: ['vc-bad'] } }),
    ).rejects.toThrow(/everyMinutes/);
  });

  it('reads INVENTORY_SCHEDULES as infra sets it', () => {
    expect(deploymentConfigFromEnv({ INVENTORY_SCHEDULES: '{"vcenters":["a"]}' }).inventory).toEqual({
      everyMinutes: 60,
      vcenters: ['a'],
      omes: [],
    });
    expect(deploymentConfigFromEnv({}).inventory.vcenters).toEqual([]);
    expect(() => deploymentConfigFromEnv({ INVENTORY_SCHEDULES: '{' })).toThrow(/not JSON/);
  });
});

describe('the reconcile Lambda', () => {
  const logger = pino({ level: 'silent' });
  const handler = (inventory: unknown) =>
    createReconcileHandler({ scheduler, config: () => ({ inventory }) as never, logger });

  it('custom resource Create: reconciles and answers SUCCESS on the response URL', async () => {
    const h = handler({ everyMinutes: 60, vcenters: ['vc-cfn'], omes: [] });
    expect(await h(cfnEvent('Create'))).toEqual({ answered: 'SUCCESS' });
    const answer = answers.at(-1);
    expect(answer).toMatchObject({
      method: 'PUT',
      Status: 'SUCCESS',
      LogicalResourceId: 'ReconcileOnDeploy',
      PhysicalResourceId: 'rackops-reconcile',
      Data: { InventorySchedules: '1' },
    });
    expect(await schedule('inventory-sync-vcenter-vc-cfn')).toBeDefined();
  });

  it('a config it cannot apply answers FAILED with the reason (the deploy fails, it does not hang)', async () => {
    const h = handler({ everyMinutes: 2 });
    expect(await h(cfnEvent('Update', { PhysicalResourceId: 'rackops-reconcile' }))).toEqual({
      answered: 'FAILED',
    });
    expect(answers.at(-1)).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/everyMinutes/) });
  });

  it('Delete answers SUCCESS and leaves the schedules', async () => {
    const h = handler({ vcenters: ['vc-cfn'] });
    expect(await h(cfnEvent('Delete', { PhysicalResourceId: 'rackops-reconcile' }))).toEqual({
      answered: 'SUCCESS',
    });
    expect(await schedule('inventory-sync-vcenter-vc-cfn')).toBeDefined();
  });

  it('the daily EventBridge event reconciles; any other event is refused', async () => {
    const h = handler({ omes: ['ome-daily'] });
    const daily = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
    expect(await h(daily)).toEqual({ inventorySchedules: ['inventory-sync-ome-ome-daily'] });
    await expect(h({ hello: 'world' })).rejects.toThrow(/reconcile event/);
  });

  it('answers CloudFormation only at AWS or loopback', () => {
    expect(
      checkResponseUrl('https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?s=1').host,
    ).toMatch(/amazonaws/);
    expect(() => checkResponseUrl('https://evil.example/x')).toThrow(/refusing/);
    expect(() => checkResponseUrl('http://bucket.s3.amazonaws.com/x')).toThrow(/refusing/);
  });
});
