import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unpackMockup } from './capture-pack';

/**
 * The real iDRAC9 capture (one resource per Redfish path, as captured), loaded ONCE per process
 * and shared by every simulated host: hosts keep only their differences.
 */
export interface Capture {
  /** The pack it was read from. */
  readonly file: string;
  /** Redfish path (`/redfish/v1/Systems/System.Embedded.1`) -> raw JSON text as captured. */
  readonly texts: ReadonlyMap<string, string>;
  /** Parsed JSON, parsed on first use. */
  json(path: string): unknown;
}

export const CAPTURE_NAME = 'dell-poweredge-r750';

/** The vendored capture (`lab/fixtures/redfish/<name>/capture.json.gz`, with its LICENSE and PROVENANCE.md). */
export function capturePackPath(name = CAPTURE_NAME): string {
  return fileURLToPath(new URL(`../../fixtures/redfish/${name}/capture.json.gz`, import.meta.url));
}

let cached: Capture | undefined;

export function loadCapture(file = capturePackPath()): Capture {
  if (cached && cached.file === file) return cached;
  if (!existsSync(file))
    throw new Error(`iDRAC capture not found at ${file} (the lab's fixtures are part of the repository)`);
  const texts = unpackMockup(readFileSync(file), file);
  const parsed = new Map<string, unknown>();
  cached = {
    file,
    texts,
    json(path) {
      if (!parsed.has(path)) {
        const t = texts.get(path);
        if (t === undefined) throw new Error(`no captured resource ${path}`);
        parsed.set(path, JSON.parse(t));
      }
      return parsed.get(path);
    },
  };
  return cached;
}

/** Values in the capture that identify the captured machine; replaced per simulated host. */
export const CAPTURED_IDENTITY = {
  serviceTag: 'F54P1G3',
  idracAddress: '10.180.247.199',
  idracStaticAddress: '10.180.247.195',
  idracMac: 'b0:7b:25:d6:51:82',
  idracMacUpper: 'B0:7B:25:D6:51:82',
} as const;
