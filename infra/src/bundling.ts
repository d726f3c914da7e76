import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

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

/** One installed copy of a package that a bundle would include. */
export interface PackageCopy {
  readonly dir: string;
  readonly version: string;
}

/**
 * Which copies of `pkg` the given bundle inputs (esbuild metafile paths, relative to `root`) come from.
 */
export function packageCopies(inputs: readonly string[], pkg: string, root: string): PackageCopy[] {
  const marker = `node_modules/${pkg}/`;
  const dirs = new Set<string>();
  for (const input of inputs) {
    const at = input.lastIndexOf(marker);
    if (at >= 0) dirs.add(resolve(root, input.slice(0, at + marker.length - 1)));
  }
  return [...dirs].sort().map((dir) => ({
    dir,
    version: (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version,
  }));
}

/**
 * Alias only when the bundle holds several copies of one and the same version: then they are interchangeable.
 * Copies of different versions (zod 4 for our code, zod 3 for a dependency) must stay apart.
 */
export function aliasFor(pkg: string, copies: readonly PackageCopy[]): Record<string, string> {
  const first = copies[0];
  if (!first || copies.length < 2 || copies.some((c) => c.version !== first.version)) return {};
  return { [pkg]: first.dir };
}

/**
 * esbuild aliases that make every import of a package resolve to one copy. npm nests zod 4 in each workspace
 * (the root holds the zod 3 other dependencies need), so without this a bundle carries two or three identical
 * copies of zod (~450 KiB each). Decided per entry from a quick unminified pass: an alias rewrites every
 * import in the bundle, so it is only made when all copies the bundle would contain have the same version.
 */
export function singleCopyAliases(entry: string, repoRoot: string): Record<string, string> {
  const { metafile } = buildSync({
    entryPoints: [entry],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    metafile: true,
    outfile: 'analysis.mjs',
    platform: LAMBDA_BUNDLE.platform,
    target: LAMBDA_BUNDLE.target,
    format: LAMBDA_BUNDLE.format,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    logLevel: 'silent',
  });
  const inputs = Object.keys(metafile.inputs);
  return Object.assign(
    {},
    ...SINGLE_COPY_PACKAGES.map((pkg) => aliasFor(pkg, packageCopies(inputs, pkg, repoRoot))),
  );
}
