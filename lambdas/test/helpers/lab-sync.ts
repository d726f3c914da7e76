import type { Store } from '@rackops/core/ports/store.port';
import type { CommandKind } from '@rackops/core/relay/commands';
import type { CommandTarget } from '@rackops/core/relay/envelope';
import type { Lab } from '@rackops/lab/index';
import type { CommandContext } from '@rackops/relay-agent/commands/command-context';
import { createInventoryIdracHandler } from '@rackops/relay-agent/commands/inventory-idrac.handler';
import { createInventoryOmeHandler } from '@rackops/relay-agent/commands/inventory-ome.handler';
import { createInventoryVcenterHandler } from '@rackops/relay-agent/commands/inventory-vcenter.handler';
import { parseConfig } from '@rackops/relay-agent/config/load-config';
import { buildDevices } from '@rackops/relay-agent/devices/build-devices';
import type { DeviceRegistry } from '@rackops/relay-agent/devices/device-registry';
import { pino } from 'pino';
import { createInventoryPageHandler } from '../../src/handlers/inventory-page.handler';

/** The relay agent's device registry for a running lab: every endpoint, its certificate pinned. */
export function labDevices(lab: Lab): DeviceRegistry {
  const pin = (e: { url: string; username: string; password: string; certSha256: string }) => ({
    url: e.url,
    credentials: { username: e.username, password: e.password },
    tls: { mode: 'pin' as const, sha256: e.certSha256 },
  });
  return buildDevices(
    parseConfig({
      signingKey: 'inventory-test-signing-key-0123456789abcdef',
      queues: { commandsUrl: 'unused', resultsUrl: 'unused' },
      metrics: { port: null },
      http: { timeoutMs: 10_000, retries: 2, retryBaseMs: 10 },
      devices: {
        idracs: Object.fromEntries(lab.endpoints.idracs.map((e) => [e.hostId, pin(e)])),
        vcenters: Object.fromEntries(lab.endpoints.vcenters.map((e) => [e.id, pin(e)])),
        omes: Object.fromEntries(lab.endpoints.omes.map((e) => [e.id, pin(e)])),
      },
    }),
  );
}

export interface SyncTotals {
  written: number;
  gone: number;
  warnings: number;
  /** Every warning's text, in page order. */
  messages: string[];
  output?: unknown;
}

/** Run one of the agent's inventory handlers; its pages go to ingestion as the result handler would. */
export async function labSync(
  devices: DeviceRegistry,
  store: Store,
  kind: CommandKind,
  target: CommandTarget,
  opts: { idrac?: { ingest: boolean }; jobId?: string } = {},
): Promise<SyncTotals> {
  const onPage = createInventoryPageHandler({ store });
  const total: SyncTotals = { written: 0, gone: 0, warnings: 0, messages: [] };
  const commandId = `cmd-${kind}-${target.id}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const memo = new Map<string, unknown>();
  const ctx: CommandContext = {
    commandId,
    kind,
    target,
    jobId: opts.jobId,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    attempt: 1,
    pollIntervalMs: 10,
    async progress(_message, extra) {
      if (!extra?.page) return;
      const r = await onPage(extra.page, { commandId, ...(opts.jobId ? { jobId: opts.jobId } : {}) });
      total.written += r.written;
      total.gone += r.gone;
      total.warnings += r.warnings.length;
      total.messages.push(...r.warnings.map((w) => w.message));
    },
    memo: { get: <T>(k: string) => memo.get(k) as T | undefined, set: (k, v) => void memo.set(k, v) },
    sleep: (ms = 10) => new Promise((r) => setTimeout(r, ms)),
    now: () => new Date(),
  };
  if (kind === 'inventory.vcenter') await createInventoryVcenterHandler(devices)({ pageSize: 50 }, ctx);
  else if (kind === 'inventory.ome') await createInventoryOmeHandler(devices)({ pageSize: 50 }, ctx);
  else
    return {
      ...total,
      output: await createInventoryIdracHandler(devices)(opts.idrac ?? { ingest: true }, ctx),
    };
  return total;
}
