import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';

/**
 * A DMTF mockup tree (`redfish/v1/**\/index.json`) packed as one gzip'd JSON file:
 * `{ "format": 1, "resources": { "<Redfish path>": "<raw JSON text as captured>" } }`.
 * One file keeps a clone small (≈ 0.2 MB instead of ≈ 10 MB in hundreds of files) and the lab's start fast.
 */
const Pack = z.object({
  format: z.literal(1),
  resources: z.record(z.string().regex(/^\/redfish\/v1(\/[^/]+)*$/), z.string()),
});

/** Subtrees left out when packing: not read by the lab's behaviour or by any test, and large. */
export const PRUNED_SUBTREES: readonly string[] = [
  '/redfish/v1/Systems/System.Embedded.1/Bios/BiosRegistry',
  '/redfish/v1/Systems/System.Embedded.1/SecureBoot/Oem/Dell/Certificates',
  '/redfish/v1/Systems/System.Embedded.1/Oem/Dell/DellSensors',
  '/redfish/v1/Managers/iDRAC.Embedded.1/PrivilegeRegistry',
];

const pruned = (path: string): boolean => PRUNED_SUBTREES.some((p) => path === p || path.startsWith(`${p}/`));

/** Reads a mockup tree (the folder holding `redfish/`) into path → text, in sorted order, pruned. */
export function readMockupTree(dir: string): Map<string, string> {
  const root = join(dir, 'redfish', 'v1');
  if (!existsSync(root)) throw new Error(`no Redfish mockup at ${root}`);
  const texts = new Map<string, string>();
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      if (statSync(a).isDirectory()) walk(a, `${rel}/${name}`);
      else if (name === 'index.json' && !pruned(rel)) texts.set(rel, readFileSync(a, 'utf8'));
    }
  };
  walk(root, '/redfish/v1');
  return texts;
}

export function packMockup(texts: ReadonlyMap<string, string>): Buffer {
  const resources = Object.fromEntries([...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return gzipSync(JSON.stringify({ format: 1, resources }), { level: 9 });
}

export function unpackMockup(gz: Buffer, source: string): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(gunzipSync(gz).toString('utf8'));
  } catch (err) {
    throw new Error(`${source} is not a gzip'd JSON capture pack: ${(err as Error).message}`);
  }
  const parsed = Pack.safeParse(raw);
  if (!parsed.success) throw new Error(`${source} is not a capture pack: ${parsed.error.issues[0]?.message}`);
  return new Map(Object.entries(parsed.data.resources));
}
