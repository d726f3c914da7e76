import { CAPTURED_IDENTITY, type Capture } from './capture';
import { type ComponentTemplate, FW_INVENTORY } from '../world/firmware';
import type { HostState } from '../world/types';

const CAPTURED_UUID = '4c4c4544-0035-3410-8050-c6c04f314733';

/** Captured identity strings and what each becomes for a host. */
function replacements(host: HostState): Array<[string, string]> {
  return [
    [CAPTURED_IDENTITY.serviceTag, host.id],
    [CAPTURED_IDENTITY.idracAddress, host.idracAddress],
    [CAPTURED_IDENTITY.idracMac, host.idracMac],
    [CAPTURED_IDENTITY.idracMacUpper, host.idracMac.toUpperCase()],
    [CAPTURED_UUID, host.uuid],
  ];
}

const TOKENS = [
  CAPTURED_IDENTITY.serviceTag,
  CAPTURED_IDENTITY.idracAddress,
  CAPTURED_IDENTITY.idracMac,
  CAPTURED_IDENTITY.idracMacUpper,
  CAPTURED_UUID,
];

const needsCache = new WeakMap<Capture, Set<string>>();

/** Paths whose text holds an identity token (computed once per capture, so most requests skip the scan). */
function needsPersonalising(capture: Capture): Set<string> {
  let s = needsCache.get(capture);
  if (!s) {
    s = new Set();
    for (const [path, text] of capture.texts) if (TOKENS.some((t) => text.includes(t))) s.add(path);
    needsCache.set(capture, s);
  }
  return s;
}

/** `"FirmwareVersion": "21.80.16.95"`, `"Info.1.Version":"6.00.30.00"`, `"FamilyVersion": ...` */
const VERSION_PROP = /"([A-Za-z0-9._]*Version)"(\s*:\s*)"([^"]*)"/g;

const versionCache = new WeakMap<Capture, Set<string>>();

/** Paths (outside FirmwareInventory) with a *Version property holding a captured firmware version. */
function versionSites(capture: Capture, components: readonly ComponentTemplate[]): Set<string> {
  let s = versionCache.get(capture);
  if (!s) {
    const versions = new Set(components.map((c) => c.capturedVersion));
    s = new Set();
    for (const [path, text] of capture.texts) {
      if (path.startsWith(FW_INVENTORY)) continue;
      for (const m of text.matchAll(VERSION_PROP)) {
        if (versions.has(m[3]!)) {
          s.add(path);
          break;
        }
      }
    }
    versionCache.set(capture, s);
  }
  return s;
}

/**
 * Firmware versions mentioned outside FirmwareInventory (NIC FirmwarePackageVersion, PSU
 * FirmwareVersion, iDRAC Info.1.Version...) follow what the host has installed. The component
 * is the one whose captured version it is, preferring a component named in the path
 * (`NIC.Integrated.1-2-1`), so each port of a NIC reports its own version.
 */
function withInstalledVersions(
  text: string,
  path: string,
  host: HostState,
  components: readonly ComponentTemplate[],
): string {
  return text.replace(VERSION_PROP, (whole, key: string, sep: string, value: string) => {
    const candidates = components.filter((c) => c.capturedVersion === value);
    if (candidates.length === 0) return whole;
    const named =
      candidates.find((c) => path.includes(c.fqdd)) ??
      candidates.find((c) => path.includes(c.fqdd.split('-')[0]!)) ??
      candidates[0]!;
    const now = host.firmware.get(named.fqdd)?.version ?? value;
    return now === value ? whole : `"${key}"${sep}"${now}"`;
  });
}

/** The captured text of `path` as this host would return it. Hosts share the capture; this copies only on use. */
export function personalisedText(
  capture: Capture,
  host: HostState,
  path: string,
  components: readonly ComponentTemplate[] = [],
): string | undefined {
  const text = capture.texts.get(path);
  if (text === undefined) return text;
  let out = text;
  if (needsPersonalising(capture).has(path)) {
    for (const [from, to] of replacements(host)) out = out.replaceAll(from, to);
  }
  if (components.length && versionSites(capture, components).has(path)) {
    out = withInstalledVersions(out, path, host, components);
  }
  return out;
}

/** Parsed, personalised, and safe to mutate. */
export function personalisedJson<T = Record<string, unknown>>(
  capture: Capture,
  host: HostState,
  path: string,
  components: readonly ComponentTemplate[] = [],
): T {
  const t = personalisedText(capture, host, path, components);
  if (t === undefined) throw new Error(`no captured resource ${path}`);
  return JSON.parse(t) as T;
}
