import type { AgentConfig, DeviceConfig } from '../config/config.schema';
import { resolveCredentials } from '../config/load-config';
import { HttpClient } from '../http/http-client';
import { createTlsAgent } from '../http/tls-agent';
import { OmeClient } from '../ome/ome-client';
import { RedfishClient } from '../redfish/redfish-client';
import { VsphereClient } from '../vsphere/vsphere-client';
import { createDeviceRegistry, type DeviceRegistry } from './device-registry';

/** Builds one client per configured device, each with its own TLS policy and socket pool. */
export interface DeviceHooks {
  /** A vCenter session was renewed after NotAuthenticated (metric `rackops_relay_vcenter_relogins_total`). */
  readonly onVcenterRelogin?: (vcenterId: string) => void;
}

export function buildDevices(cfg: AgentConfig, hooks: DeviceHooks = {}): DeviceRegistry {
  const agents: { destroy(): void }[] = [];
  const http = (kind: string, id: string, d: DeviceConfig) => {
    const agent = createTlsAgent(`${kind} ${id}`, d.tls, d.maxSockets);
    agents.push(agent);
    return new HttpClient({
      baseUrl: d.url.replace(/\/+$/, ''),
      device: `${kind} ${id}`,
      agent,
      timeoutMs: cfg.http.timeoutMs,
      retry: { attempts: cfg.http.retries, baseDelayMs: cfg.http.retryBaseMs, maxDelayMs: 5000 },
    });
  };
  const idracs = new Map(
    Object.entries(cfg.devices.idracs).map(([id, d]) => [
      id,
      new RedfishClient(http('idrac', id, d), resolveCredentials(d, `devices.idracs.${id}`)),
    ]),
  );
  const vcenters = new Map(
    Object.entries(cfg.devices.vcenters).map(([id, d]) => [
      id,
      new VsphereClient(http('vcenter', id, d), resolveCredentials(d, `devices.vcenters.${id}`), {
        onRelogin: () => hooks.onVcenterRelogin?.(id),
      }),
    ]),
  );
  const omes = new Map(
    Object.entries(cfg.devices.omes).map(([id, d]) => [
      id,
      new OmeClient(http('ome', id, d), resolveCredentials(d, `devices.omes.${id}`)),
    ]),
  );
  return createDeviceRegistry({
    idracs,
    vcenters,
    omes,
    zfs: new Set(Object.keys(cfg.zfs.sites)),
    onClose: async () => {
      await Promise.allSettled([
        ...[...idracs.values()].map((c) => c.logout()),
        ...[...vcenters.values()].map((c) => c.logout()),
      ]);
      for (const a of agents) a.destroy();
    },
  });
}
