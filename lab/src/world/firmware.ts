import type { Capture } from '../idrac/capture';
import { dellPciIds } from '@rackops/core/inventory/pci-ids';

/**
 * The lab's firmware model, derived from the capture's FirmwareInventory `Installed-*` members
 * so component ids (SoftwareId, FQDD, PCI ids) are exactly what a real R750 reports.
 *
 * A component is identified by its FQDD (`BIOS.Setup.1-1`); a firmware PACKAGE targets a
 * component kind: `sw<SoftwareId>` when SoftwareId is not 0, else `pci<VEN>-<DEV>-<SUBVEN>-<SUBDEV>`
 * (disks and add-in cards), and updates every component of that kind on the host, as a Dell
 * Update Package does.
 */
export interface ComponentTemplate {
  fqdd: string;
  name: string;
  softwareId: string;
  /** `sw159`, `pci1E0F-0007-1028-207E`: what a package targets. */
  packageKey: string;
  /** Version on the captured machine: the lab's "outdated" version. */
  capturedVersion: string;
  /** The lab catalog's latest version for this component. */
  latestVersion: string;
  pci?: { vendorId?: string; deviceId?: string; subVendorId?: string; subDeviceId?: string };
  /** Dell ComponentType (BIOS, FRMW, APAC...). */
  componentType: string;
  /** Applying it needs a host reboot (BIOS, NICs, disks...); the iDRAC and LC packs do not. */
  rebootRequired: boolean;
  /** The iDRAC resets itself after this component is updated. */
  resetsIdrac: boolean;
  /** Capture path of the `Installed-*` member used as the shape template. */
  templatePath: string;
  /** Capture paths of `Current-*` / `Previous-*` templates when the capture has them. */
  currentTemplatePath?: string;
  previousTemplatePath?: string;
  /** Installed version on the captured machine's rollback partition (Previous-*). */
  capturedPreviousVersion?: string;
  /** Not updated by its own package: follows another component (the LC follows the iDRAC). */
  followsFqdd?: string;
}

/** The newest versions the lab catalog offers, by package key. Outdated = captured. */
const LATEST: Record<string, string> = {
  sw25227: '7.10.50.00', // iDRAC
  sw28897: '7.10.50.00', // Lifecycle Controller (updated with the iDRAC)
  sw159: '1.13.2', // BIOS
  sw107649: '4.35', // backplane expander
  sw108089: '22.91.5.10', // Broadcom integrated NIC
  sw108255: '22.91.5', // Broadcom embedded NIC
  sw108076: '00.3D.40', // PSU
  sw109673: '7.2.3.1', // TPM
  sw18981: '24.03.12', // OS driver pack
  sw25806: '4303A15', // diagnostics
  sw27763: '1.1.1', // CPLD
  sw104684: '5.3.0', // iDRAC Service Module
  'pci1E0F-0007-1028-207E': '2.1.5', // NVMe SSD
  'pci15B3-101B-15B3-0009': '20.39.10.02', // Mellanox ConnectX-6 (InfiniBand)
  'pci15B3-A2D6-15B3-0128': '24.43.20.00', // Mellanox ConnectX-6 Dx
};

/** Components the iDRAC applies without a host reboot. */
const NO_REBOOT = new Set(['sw25227', 'sw28897', 'sw18981', 'sw25806', 'sw104684']);

interface SoftwareInventoryJson {
  Id: string;
  Name: string;
  SoftwareId: string;
  Version: string;
  Oem?: {
    Dell?: {
      DellSoftwareInventory?: {
        ComponentType?: string;
        VendorID?: string | null;
        DeviceID?: string | null;
        SubVendorID?: string | null;
        SubDeviceID?: string | null;
      };
    };
  };
}

export const FW_INVENTORY = '/redfish/v1/UpdateService/FirmwareInventory';

export function memberId(
  status: 'Installed' | 'Current' | 'Previous',
  c: { softwareId: string; fqdd: string },
  version: string,
) {
  return `${status}-${c.softwareId}-${version}__${c.fqdd}`;
}

/** Parse `Installed-159-1.8.2__BIOS.Setup.1-1`. */
export function parseMemberId(
  id: string,
): { status: string; softwareId: string; version: string; fqdd: string } | undefined {
  const m = /^(Installed|Current|Previous)-(\d+)-(.+?)__(.+)$/.exec(id);
  if (!m) return undefined;
  return { status: m[1]!, softwareId: m[2]!, version: m[3]!, fqdd: m[4]! };
}

let cachedModel: { capture: Capture; components: ComponentTemplate[] } | undefined;

/** Every component of a lab host, in capture order (stable). */
export function componentTemplates(capture: Capture): ComponentTemplate[] {
  if (cachedModel?.capture === capture) return cachedModel.components;
  const byFqdd = new Map<string, ComponentTemplate>();
  const currents = new Map<string, string>();
  const previous = new Map<string, { path: string; version: string }>();
  for (const path of capture.texts.keys()) {
    const prefix = `${FW_INVENTORY}/`;
    if (!path.startsWith(prefix)) continue;
    const id = path.slice(prefix.length);
    if (id.includes('/')) continue;
    const parsed = parseMemberId(id);
    if (!parsed) continue;
    if (parsed.status === 'Current') currents.set(parsed.fqdd, path);
    if (parsed.status === 'Previous') previous.set(parsed.fqdd, { path, version: parsed.version });
    if (parsed.status !== 'Installed') continue;
    const j = capture.json(path) as SoftwareInventoryJson;
    const dell = j.Oem?.Dell?.DellSoftwareInventory;
    const pci = dellPciIds(dell);
    const packageKey =
      j.SoftwareId !== '0'
        ? `sw${j.SoftwareId}`
        : `pci${pci?.vendorId ?? 'x'}-${pci?.deviceId ?? 'x'}-${pci?.subVendorId ?? 'x'}-${pci?.subDeviceId ?? 'x'}`;
    byFqdd.set(parsed.fqdd, {
      fqdd: parsed.fqdd,
      name: j.Name,
      softwareId: j.SoftwareId,
      packageKey,
      capturedVersion: j.Version,
      latestVersion: LATEST[packageKey] ?? j.Version,
      ...(pci ? { pci } : {}),
      componentType: dell?.ComponentType ?? 'FRMW',
      rebootRequired: !NO_REBOOT.has(packageKey),
      resetsIdrac: packageKey === 'sw25227',
      templatePath: path,
      ...(packageKey === 'sw28897' ? { followsFqdd: 'iDRAC.Embedded.1-1' } : {}),
    });
  }
  for (const [fqdd, path] of currents) {
    const c = byFqdd.get(fqdd);
    if (c) c.currentTemplatePath = path;
  }
  for (const [fqdd, p] of previous) {
    const c = byFqdd.get(fqdd);
    if (c) {
      c.previousTemplatePath = p.path;
      c.capturedPreviousVersion = p.version;
    }
  }
  const components = [...byFqdd.values()];
  cachedModel = { capture, components };
  return components;
}

/** What the catalog matcher needs per component: ids exactly as the iDRAC reports them. */
export interface FirmwareComponentView {
  /** Redfish member id, `Installed-<SoftwareId>-<Version>__<FQDD>`. */
  id: string;
  name: string;
  softwareId: string;
  fqdd: string;
  version: string;
  packageKey: string;
  pci?: { vendorId?: string; deviceId?: string; subVendorId?: string; subDeviceId?: string };
  componentType: string;
  rebootRequired: boolean;
  /** Updated by its own package (false for the LC, which follows the iDRAC). */
  updateable: boolean;
}

/** Latest version per package key: what the lab catalog offers. */
export function latestPackages(capture: Capture): Array<{
  packageKey: string;
  name: string;
  softwareId: string;
  fqdds: string[];
  version: string;
  componentType: string;
  rebootRequired: boolean;
  pci?: ComponentTemplate['pci'];
  fileName: string;
}> {
  const byKey = new Map<string, ReturnType<typeof latestPackages>[number]>();
  for (const c of componentTemplates(capture)) {
    if (c.followsFqdd) continue;
    const e = byKey.get(c.packageKey);
    if (e) {
      e.fqdds.push(c.fqdd);
      continue;
    }
    byKey.set(c.packageKey, {
      packageKey: c.packageKey,
      name: c.name,
      softwareId: c.softwareId,
      fqdds: [c.fqdd],
      version: c.latestVersion,
      componentType: c.componentType,
      rebootRequired: c.rebootRequired,
      ...(c.pci ? { pci: c.pci } : {}),
      fileName: packageFileName(c.packageKey, c.name, c.latestVersion),
    });
  }
  return [...byKey.values()];
}

/**
 * File name of a lab update package. The simulated iDRAC learns what a package contains from
 * its name (real DUPs carry it inside): `<Name>_<packageKey>_<version>.EXE`, e.g.
 * `BIOS_sw159_1.13.2.EXE`. The catalog (lab/src/catalog) must serve packages under such names.
 */
export function packageFileName(packageKey: string, name: string, version: string): string {
  const safe =
    name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'Firmware';
  return `${safe}_${packageKey}_${version}.EXE`;
}

export function parsePackageFileName(uriOrName: string): { packageKey: string; version: string } | undefined {
  const base = decodeURIComponent(uriOrName.split(/[?#]/)[0]!.split('/').pop() ?? '');
  const m = /_(sw\d+|pci[0-9A-Fa-fx]+-[0-9A-Fa-fx]+-[0-9A-Fa-fx]+-[0-9A-Fa-fx]+)_([^_]+)\.EXE$/i.exec(base);
  if (!m) return undefined;
  return { packageKey: m[1]!, version: m[2]! };
}
