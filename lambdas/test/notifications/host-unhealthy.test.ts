import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import { GLOBAL_SCOPE, emptyScope, saveScope, switchKinds } from '@rackops/core/notifications/settings';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import type { HardwareHealth } from '@rackops/core/relay/hardware-health.schema';
import { recordHardwareHealth } from '@rackops/core/usecases/hardware-health';
import { DEFAULT_HEALTH_THRESHOLDS } from '@rackops/core/usecases/health-thresholds';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from '../helpers/dynalite-store';

/** host_unhealthy through the real pipeline on a real Store: raised on the change to critical, once. */
describe('host_unhealthy', () => {
  let t: TestStore;
  const sent: NotificationEvent[] = [];
  const channel: NotificationChannel = {
    name: 'channel',
    recipients: async () => ['team'],
    async send(event) {
      sent.push(event);
    },
  };
  let now = new Date('2026-12-06T12:00:00Z');
  const clock = { now: () => now };
  let record: (read: HardwareHealth) => Promise<unknown>;

  beforeAll(async () => {
    t = await startTestStore();
    await saveScope(t.store, GLOBAL_SCOPE, switchKinds(emptyScope(), 'channel', 'on', ['host_unhealthy']));
    await t.store.putRecord({
      type: INVENTORY_TYPES.host,
      id: 'HU00001',
      parent: 'domain-c7',
      data: {
        id: 'HU00001',
        name: 'esx-hu-1',
        vcenterId: 'vc-hu',
        clusterId: 'domain-c7',
        moref: 'host-7',
        serviceTag: 'HU00001',
        connectionState: 'connected',
        inMaintenanceMode: false,
        cpuMhz: 1,
        memoryMiB: 1,
      },
    });
    const notifier = new NotificationPipeline({
      store: t.store,
      clock,
      channels: [channel],
      logger: pino({ level: 'silent' }),
      sleep: async () => {},
    });
    record = (read) =>
      recordHardwareHealth({ store: t.store, clock, notifier }, read, {
        thresholds: DEFAULT_HEALTH_THRESHOLDS,
      });
  });
  afterAll(async () => t?.close());

  const read = (power: string): HardwareHealth => ({
    hostId: 'HU00001',
    readAt: now.toISOString(),
    parts: [
      { part: 'system', health: power === 'OK' ? 'OK' : power },
      { part: 'power', health: power },
    ],
    sel: [],
    lifecycleLog: [],
    warnings: [],
  });

  it('a healthy read raises nothing; the first critical one raises it with the host’s cluster', async () => {
    await record(read('OK'));
    expect(sent).toEqual([]);
    await record(read('Critical'));
    expect(sent).toEqual([
      {
        kind: 'host_unhealthy',
        hostId: 'HU00001',
        clusterId: 'domain-c7',
        detail: 'system: Critical; power: Critical',
        since: '2026-12-06T12:00:00.000Z',
      },
    ]);
  });

  it('still critical at the next read: nothing more; back to OK, then critical again: told again', async () => {
    now = new Date(now.getTime() + 3_600_000);
    await record(read('Critical'));
    expect(sent).toHaveLength(1);
    await record(read('Warning'));
    expect(sent).toHaveLength(1);
    now = new Date(now.getTime() + 3_600_000);
    await record(read('Critical'));
    expect(sent).toHaveLength(2);
  });
});
