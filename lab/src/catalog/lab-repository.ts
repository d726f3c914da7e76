import { createHash } from 'node:crypto';
import { buildCatalogXml, type CatalogEntryInput } from '@rackops/core/catalog/catalog-build';
import { type Criticality, systemIdHex } from '@rackops/core/catalog/catalog.schema';
import { labSystemId } from '../world/system-id';
import type { World } from '../world/world';

/** One update package the lab repository serves. */
export interface LabPackage {
  /** Path relative to the repository root (`FOLDER0001/1/BIOS_sw159_1.13.2.EXE`). */
  path: string;
  payload: Buffer;
  sha256: string;
  md5: string;
}

/** A Dell-style repository: the catalog entries and the package files they name. */
export interface LabRepository {
  entries: CatalogEntryInput[];
  packages: Map<string, LabPackage>;
  /** Catalog.xml; `baseLocation` (host + root path) is where packages are fetched from. */
  catalogXml(baseLocation?: string): string;
}

/** Dell marks BIOS and iDRAC releases urgent more often than not; applications are optional. */
const criticalityFor = (componentType: string): Criticality =>
  componentType === 'BIOS' ? 'Urgent' : componentType === 'APAC' ? 'Optional' : 'Recommended';

/**
 * A small fake Dell Update Package: an `MZ` header (DUPs are Windows executables) and a text body
 * naming the package. Deterministic, so its hashes are stable across runs.
 */
function fakeDup(packageKey: string, version: string, name: string): Buffer {
  const text = `MZ\nRackOps lab Dell Update Package\npackage=${packageKey}\nversion=${version}\nname=${name}\n`;
  const body = Buffer.alloc(4096, 0x20);
  body.write(text, 'latin1');
  return body;
}

/**
 * The lab's firmware repository, from the world's firmware model: one package per package key at the
 * latest version the lab offers (newer than what outdated hosts run), for the lab's server model.
 * Packages keep the Dell catalog's file names (`<Name>_<packageKey>_<version>.EXE`): the simulated iDRAC learns
 * from the name what an uploaded package contains.
 */
export function buildLabRepository(world: World): LabRepository {
  const systemId = systemIdHex(labSystemId(world));
  const packages = new Map<string, LabPackage>();
  const entries: CatalogEntryInput[] = world.latestFirmware().map((p, i) => {
    const path = `FOLDER${String(i + 1).padStart(4, '0')}/1/${p.fileName}`;
    const payload = fakeDup(p.packageKey, p.version, p.name);
    const sha256 = createHash('sha256').update(payload).digest('hex');
    const md5 = createHash('md5').update(payload).digest('hex');
    packages.set(path, { path, payload, sha256, md5 });
    const pci =
      p.pci?.vendorId && p.pci.deviceId
        ? [{ ...p.pci, vendorId: p.pci.vendorId, deviceId: p.pci.deviceId }]
        : [];
    return {
      path,
      name: p.name,
      vendorVersion: p.version,
      dellVersion: p.version,
      releaseId: p.packageKey.toUpperCase().slice(0, 5),
      packageType: 'LWXP',
      componentType: p.componentType,
      hashMd5: md5,
      sha256,
      criticality: criticalityFor(p.componentType),
      rebootRequired: p.rebootRequired,
      size: payload.length,
      devices: [{ componentId: p.softwareId, name: p.name, pci }],
      systemIds: [systemId],
    };
  });
  return {
    entries,
    packages,
    catalogXml: (baseLocation) =>
      buildCatalogXml({
        baseLocation,
        protocols: ['HTTPS'],
        version: '26.11.00',
        releaseId: 'RACKOPS-LAB',
        dateTime: '2026-11-01T00:00:00+00:00',
        components: entries,
      }),
  };
}
