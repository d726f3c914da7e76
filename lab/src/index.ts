import { startCatalogServer } from './catalog/catalog-server';
import { startControlServer } from './http/control-server';
import { DEFAULT_LAB } from './config/default-lab';
import type { LabConfig, LabConfigInput } from './config/lab-config.schema';
import type { FaultRegistry } from './faults/fault-registry';
import { startIdracServer } from './idrac/idrac-server';
import { createLabCert } from './tls/lab-cert';
import { startOmeServer } from './ome/server';
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

/**
 * Start the simulated datacenter: one HTTPS iDRAC per host, one vCenter per configured vCenter,
 * OME, the firmware catalog and the control API, all on loopback with one self-signed certificate.
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
    if (services.ome) {
      for (const o of world.omes) {
        const h = await startOmeServer(world, { id: o.id, cert, bindHost });
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
