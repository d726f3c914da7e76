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
