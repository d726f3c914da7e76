import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * How every Lambda handler is bundled. One definition serves the CDK stack (NodejsFunction) and the bundle
 * benchmark, so the sizes the bench reports are the sizes that get deployed.
 *
 * - ESM, because the whole repo is ESM and top-level await works there; the banner gives bundled CommonJS
 *   dependencies (botbuilder, pino) the `require` they expect.
 * - The AWS SDK is bundled, not taken from the runtime: we test against 3.1164.0, and the runtime's copy
 *   changes under us without notice.
 * - Minified with names kept, so stack traces in CloudWatch still read.
 */
export const LAMBDA_BUNDLE = {
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  keepNames: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __rackopsCreateRequire } from 'node:module'; const require = __rackopsCreateRequire(import.meta.url);",
  /** Nothing external: see above. */
  external: [] as string[],
  outExtension: '.mjs',
} as const;

/** Packages that must be bundled once even though npm installed one copy per workspace. */
const SINGLE_COPY_PACKAGES = ['zod'] as const;
/** Workspaces whose code ends up in Lambda bundles. */
const BUNDLED_WORKSPACES = ['core', 'lambdas', 'bot'] as const;

/**
 * esbuild aliases that make every import of a package resolve to one copy. npm nests zod 4 in each workspace
 * (the root holds the zod 3 another dependency needs), so without this each bundle carries two or three
 * identical copies of zod (~450 KiB each). An alias is only made when every workspace resolves the package
 * to the same version: deduplicating different versions would change behaviour.
 */
export function singleCopyAliases(repoRoot: string): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const pkg of SINGLE_COPY_PACKAGES) {
    const found = BUNDLED_WORKSPACES.map((ws) => {
      try {
        const manifest = createRequire(join(repoRoot, ws, 'package.json')).resolve(`${pkg}/package.json`);
        return {
          dir: dirname(manifest),
          version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version,
        };
      } catch {
        return undefined;
      }
    }).filter((f) => f !== undefined);
    const versions = new Set(found.map((f) => f.version));
    const first = found[0];
    if (first && versions.size === 1) aliases[pkg] = first.dir;
  }
  return aliases;
}
