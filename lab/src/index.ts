import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCatalogServer } from './catalog/catalog-server';
import { startControlServer } from './http/control-server';
import { DEFAULT_LAB } from './config/default-lab';
import type { LabConfig, LabConfigInput } from './config/lab-config.schema';
import type { FaultRegistry } from './faults/fault-registry';
import { startIdracServer } from './idrac/idrac-server';
import { type LabCert, createLabCert } from './tls/lab-cert';
import { startVcenterServer } from './vcenter/server';
import { createWorld } from './world/create-world';
import type { World } from './world/world';

export interface LabEndpoint {
  url: string;
  username: string;
  password: string;
  /** SHA-256 of the lab certificate (`AB:CD:...`), for pinning. */
  certSha256: string;
}

export interface Lab {
  world: World;
  endpoints: {
    idracs: Array<LabEndpoint & { hostId: string }>;
    vcenters: Array<LabEndpoint & { id: string }>;
    omes: Array<LabEndpoint & { id: string }>;
    catalogUrl?: string;
    /** The lab control API (faults, host state) for out-of-process tools; see lab/README.md. */
    control?: { url: string; token: string; certSha256: string };
  };
  faults: FaultRegistry;
  /** The lab certificate (PEM) so clients can trust it as a CA. */
  tls: { ca: string; certSha256: string };
  stop(): Promise<void>;
}

export interface StartLabOptions {
  /** Overrides the config's time scale (1/60 demo; tests use ~1/6000 or smaller). */
  timeScale?: number;
  /** Overrides the config's seed. */
  seed?: number;
  /** Loopback address to bind (default 127.0.0.1). */
  bindHost?: string;
  /** Which servers besides the iDRACs to start (all by default); tests of one simulator turn the others off. */
  services?: { vcenter?: boolean; ome?: boolean; catalog?: boolean; control?: boolean };
}

/** What the OME simulator exports (lab/src/ome/server.ts: `startOmeServer`), like `startVcenterServer`. */
export interface LabServiceHandle {
  url: string;
  close(): Promise<void>;
}
type StartService = (
  world: World,
  opts: { id: string; cert: LabCert; bindHost: string },
) => Promise<LabServiceHandle>;

/**
 * Load an optional lab service by file name, so the lab starts before (or without) the
 * OME simulator. The module must export `exportName` as a StartService.
 */
async function optionalService(relPath: string, exportName: string): Promise<StartService | undefined> {
  const url = new URL(relPath, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  const mod = (await import(/* @vite-ignore */ url.href)) as Record<string, unknown>;
  const fn = mod[exportName];
  return typeof fn === 'function' ? (fn as StartService) : undefined;
}

/**
 * Start the simulated datacenter: one HTTPS iDRAC per host, the vCenter and OME simulators
 * when present, and the firmware catalog, all on loopback with one self-signed certificate.
 */
export async function startLab(
  config: LabConfigInput | LabConfig = DEFAULT_LAB,
  opts: StartLabOptions = {},
): Promise<Lab> {
  const bindHost = opts.bindHost ?? '127.0.0.1';
  const world = createWorld(config, opts);
  const cfg = { name: world.name, credentials: world.credentials };
  const faults = world.faults;
  const cert = await createLabCert(`rackops-${cfg.name}`);
  const closers: Array<() => Promise<void>> = [];
  try {
    const idrac = await startIdracServer(world, { cert, bindHost });
    closers.push(() => idrac.close());
    const services = { vcenter: true, ome: true, catalog: true, control: true, ...opts.services };
    const control = services.control ? await startControlServer(world, { cert, bindHost }) : undefined;
    if (control) closers.push(() => control.close());
    const catalog = services.catalog
      ? await startCatalogServer(world, { tls: cert, host: bindHost })
      : undefined;
    if (catalog) closers.push(() => catalog.stop());

    const vcenters: Lab['endpoints']['vcenters'] = [];
    if (services.vcenter) {
      for (const vc of world.vcenters.values()) {
        const h = await startVcenterServer(world, { id: vc.id, cert, bindHost });
        closers.push(() => h.close());
        vcenters.push({ id: vc.id, url: h.url, ...cfg.credentials.vcenter, certSha256: cert.sha256 });
      }
    }
    const omes: Lab['endpoints']['omes'] = [];
    const startOme = services.ome && (await optionalService('./ome/server.ts', 'startOmeServer'));
    if (startOme) {
      for (const o of world.omes) {
        const h = await startOme(world, { id: o.id, cert, bindHost });
        closers.push(() => h.close());
        omes.push({ id: o.id, url: h.url, ...cfg.credentials.ome, certSha256: cert.sha256 });
      }
    }
    let stopped = false;
    return {
      world,
      faults,
      tls: { ca: cert.cert, certSha256: cert.sha256 },
      endpoints: {
        idracs: idrac.endpoints.map((e) => ({
          hostId: e.hostId,
          url: e.url,
          ...cfg.credentials.idrac,
          certSha256: cert.sha256,
        })),
        vcenters,
        omes,
        ...(catalog ? { catalogUrl: catalog.catalogUrl } : {}),
        ...(control ? { control: { url: control.url, token: control.token, certSha256: cert.sha256 } } : {}),
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        world.stop();
        await Promise.all(closers.map((c) => c()));
      },
    };
  } catch (e) {
    world.stop();
    await Promise.allSettled(closers.map((c) => c()));
    throw e;
  }
}

export { DEFAULT_LAB } from './config/default-lab';
export { generateLab } from './generator';
export { createWorld } from './world/create-world';
export type { LabConfig, LabConfigInput } from './config/lab-config.schema';
