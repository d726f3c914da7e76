import type { FirmwareComponent } from '../inventory/inventory.schema';
import { type Catalog, type CatalogComponent, type Criticality, systemIdHex } from './catalog.schema';
import { checkUrlShape, isUnderBase, withoutUserinfo } from '../net/outbound-url';
import { CatalogParseError } from './catalog-errors';
import { compareDellVersions } from './dell-version';
import { isInstalledFirmware } from './redfish-firmware';

/**
 * Matching a Dell catalog to installed firmware (DESIGN §7), by ids only — never by display names:
 * - `SoftwareId` of the installed component equals `SupportedDevices/Device/@componentID`;
 * - when `SoftwareId` is `0` (disks, add-in NICs), the device's PCI vendor/device ids (and subsystem
 *   ids when both sides give them) equal a `Device/PCIInfo`;
 * - and the component lists the server's model: `SupportedSystems/Brand/Model/@systemID` equals the
 *   server's SystemID in hex. A server whose SystemID is unknown matches nothing (we never guess).
 * Among several matching packages the highest vendorVersion wins.
 */
export interface CatalogMatcher {
  /** Packages for this model that apply to the component, best (highest version) first. */
  candidates(systemId: number, fw: FirmwareComponent): CatalogComponent[];
}

interface ModelIndex {
  byComponentId: Map<string, CatalogComponent[]>;
  pci: {
    c: CatalogComponent;
    vendorId: string;
    deviceId: string;
    subVendorId?: string;
    subDeviceId?: string;
  }[];
}

export function createCatalogMatcher(catalog: Catalog): CatalogMatcher {
  const perModel = new Map<string, ModelIndex>();
  const indexFor = (hex: string): ModelIndex => {
    let idx = perModel.get(hex);
    if (idx) return idx;
    idx = { byComponentId: new Map(), pci: [] };
    for (const c of catalog.components) {
      if (!c.systemIds.includes(hex)) continue;
      for (const d of c.devices) {
        if (d.componentId && d.componentId !== '0') {
          const list = idx.byComponentId.get(d.componentId) ?? [];
          if (!list.includes(c)) list.push(c);
          idx.byComponentId.set(d.componentId, list);
        }
        for (const p of d.pci) idx.pci.push({ c, ...p });
      }
    }
    perModel.set(hex, idx);
    return idx;
  };
  return {
    candidates(systemId, fw) {
      const idx = indexFor(systemIdHex(systemId));
      let found: CatalogComponent[];
      if (fw.softwareId && fw.softwareId !== '0') {
        found = idx.byComponentId.get(fw.softwareId) ?? [];
      } else {
        const pci = fw.pci;
        if (!pci?.vendorId || !pci.deviceId) return [];
        const eq = (a?: string, b?: string): boolean => !a || !b || a.toUpperCase() === b.toUpperCase();
        found = idx.pci
          .filter(
            (p) =>
              p.vendorId === pci.vendorId?.toUpperCase() &&
              p.deviceId === pci.deviceId?.toUpperCase() &&
              eq(p.subVendorId, pci.subVendorId) &&
              eq(p.subDeviceId, pci.subDeviceId),
          )
          .map((p) => p.c);
        found = [...new Set(found)];
      }
      return [...found].sort((a, b) => compareDellVersions(b.vendorVersion, a.vendorVersion));
    },
  };
}

export type ComponentStatus = 'up_to_date' | 'update_available' | 'newer_than_catalog' | 'not_in_catalog';

export interface ComponentCompliance {
  /** FirmwareInventory member id. */
  firmwareId: string;
  name: string;
  fqdd?: string;
  softwareId: string;
  installed: string;
  available?: string;
  status: ComponentStatus;
  updateNeeded: boolean;
  criticality?: Criticality;
  rebootRequired?: boolean;
  /** The catalog package that would be applied (present when an update is needed). */
  package?: CatalogComponent;
}

export interface HostCompliance {
  serviceTag: string;
  model?: string;
  systemIdHex?: string;
  status: 'compliant' | 'updates_available' | 'unknown';
  /** Why the status is unknown (no SystemID, no firmware inventory). */
  reason?: string;
  components: ComponentCompliance[];
  updatesNeeded: number;
  /** Any needed update requires a reboot. */
  rebootRequired: boolean;
  highestCriticality?: Criticality;
}

const CRITICALITY_RANK: Record<Criticality, number> = { Optional: 0, Recommended: 1, Urgent: 2 };
export const maxCriticality = (
  a: Criticality | undefined,
  b: Criticality | undefined,
): Criticality | undefined =>
  a === undefined ? b : b === undefined ? a : CRITICALITY_RANK[b] > CRITICALITY_RANK[a] ? b : a;

/** Per-component and per-host compliance of one server against the catalog. */
export function hostCompliance(
  matcher: CatalogMatcher,
  server: { serviceTag: string; model?: string; systemId?: number },
  firmware: readonly FirmwareComponent[],
): HostCompliance {
  const base = { serviceTag: server.serviceTag, model: server.model };
  if (server.systemId === undefined) {
    return {
      ...base,
      status: 'unknown',
      reason: 'server SystemID unknown',
      components: [],
      updatesNeeded: 0,
      rebootRequired: false,
    };
  }
  const installed = firmware.filter(isInstalledFirmware);
  if (installed.length === 0) {
    return {
      ...base,
      systemIdHex: systemIdHex(server.systemId),
      status: 'unknown',
      reason: 'no firmware inventory',
      components: [],
      updatesNeeded: 0,
      rebootRequired: false,
    };
  }
  const systemId = server.systemId;
  const components = installed.map((fw) => componentCompliance(matcher.candidates(systemId, fw)[0], fw));
  const needed = components.filter((c) => c.updateNeeded);
  return {
    ...base,
    systemIdHex: systemIdHex(systemId),
    status: needed.length ? 'updates_available' : 'compliant',
    components,
    updatesNeeded: needed.length,
    rebootRequired: needed.some((c) => c.rebootRequired),
    highestCriticality: needed.reduce<Criticality | undefined>(
      (m, c) => maxCriticality(m, c.criticality),
      undefined,
    ),
  };
}

function componentCompliance(best: CatalogComponent | undefined, fw: FirmwareComponent): ComponentCompliance {
  const base = {
    firmwareId: fw.id,
    name: fw.name,
    fqdd: fw.fqdd,
    softwareId: fw.softwareId,
    installed: fw.version,
  };
  if (!best) return { ...base, status: 'not_in_catalog', updateNeeded: false };
  const cmp = compareDellVersions(best.vendorVersion, fw.version);
  const updateNeeded = cmp > 0 && fw.updateable;
  return {
    ...base,
    available: best.vendorVersion,
    status: cmp > 0 ? 'update_available' : cmp === 0 ? 'up_to_date' : 'newer_than_catalog',
    updateNeeded,
    criticality: best.criticality,
    rebootRequired: best.rebootRequired,
    package: updateNeeded ? best : undefined,
  };
}

/**
 * Where a package is fetched: `Manifest/@baseLocation` + path. A bare host gets HTTPS (Dell advertises
 * `HTTPS,HTTP,FTP`; only HTTPS is fetched); with no base location, paths are relative to the catalog's URL.
 * The result must be an https URL inside that base: a catalog path like `../../x` or `https://elsewhere/x`
 * would otherwise send the iDRAC (or the agent) anywhere the catalog's author likes.
 */
export function packageUrl(catalog: Catalog, path: string, catalogUrl?: string): string {
  const base = catalog.baseLocation;
  let root: string;
  if (base && /^[a-z]+:\/\//i.test(base)) root = base;
  else if (base) root = `https://${base}`;
  else if (catalogUrl) root = new URL('.', catalogUrl).toString();
  else throw new Error(`catalog has no baseLocation and no catalog URL to resolve ${path} against`);
  const folder = root.endsWith('/') ? root : `${root}/`;
  const rel = path.replace(/\\/g, '/').replace(/^\/+/, '');
  const url = new URL(rel, folder).toString();
  const shape = checkUrlShape(url, 'firmware');
  if (!shape.ok || /^[a-z][a-z0-9+.-]*:/i.test(rel) || !isUnderBase(shape.url, folder))
    throw new CatalogParseError(
      `package ${path} resolves to ${withoutUserinfo(url)}, not an https URL under the catalog's base ${withoutUserinfo(folder)}`,
    );
  return url;
}
