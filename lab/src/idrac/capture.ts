import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real iDRAC9 capture (DMTF mockup layout: `<path>/index.json`), loaded ONCE per process
 * and shared by every simulated host: hosts keep only their differences.
 */
export interface Capture {
  readonly dir: string;
  /** Redfish path (`/redfish/v1/Systems/System.Embedded.1`) -> raw JSON text as captured. */
  readonly texts: ReadonlyMap<string, string>;
  /** Parsed JSON, parsed on first use. */
  json(path: string): unknown;
}

export const CAPTURE_NAME = 'dell-poweredge-r750';

/** `<repo>/../shared/fixtures/redfish/dell-poweredge-r750`, or `$RACKOPS_SHARED_DIR/fixtures/...`. */
export function captureDir(): string {
  const shared =
    process.env.RACKOPS_SHARED_DIR ??
    resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared');
  return join(shared, 'fixtures', 'redfish', CAPTURE_NAME);
}

let cached: Capture | undefined;

export function loadCapture(dir = captureDir()): Capture {
  if (cached && cached.dir === dir) return cached;
  const root = join(dir, 'redfish', 'v1');
  if (!existsSync(root)) {
    throw new Error(
      `iDRAC capture not found at ${root}; set RACKOPS_SHARED_DIR to the directory holding fixtures/`,
    );
  }
  const texts = new Map<string, string>();
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs)) {
      const a = join(abs, name);
      if (statSync(a).isDirectory()) walk(a, `${rel}/${name}`);
      else if (name === 'index.json') texts.set(rel, readFileSync(a, 'utf8'));
    }
  };
  walk(root, '/redfish/v1');
  const parsed = new Map<string, unknown>();
  cached = {
    dir,
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
