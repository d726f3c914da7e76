import { basename, dirname } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { lambdaBundlePlugins } from './bundle-plugins';

/**
 * How every Lambda handler is bundled. One definition serves the CDK stack (NodejsFunction, whose esbuild pass is
 * redone with these plugins by infra/src/bundle-cli.ts as its afterBundling hook) and the bundle benchmark, so the
 * sizes the bench reports are the sizes that get deployed.
 *
 * - ESM, because the whole repo is ESM and top-level await works there; the banner gives bundled CommonJS
 *   dependencies (botbuilder, pino) the `require` they expect.
 * - Minified with names kept, so stack traces in CloudWatch still read; tree-shaken (esbuild does when bundling);
 *   the plugins of bundle-plugins.ts leave out the code the bot never runs (teams-ai's AI and sign-in modules,
 *   botbuilder's streaming, skills-host and SharePoint parts, MSAL for a one-request client credentials grant,
 *   the HTML entity tables the XML catalog reader never reads), duplicate zod copies and zod's non-English locales.
 * - The AWS SDK v3 is bundled, decided per package in AWS_SDK_PACKAGES below.
 */
export const LAMBDA_BUNDLE = {
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  keepNames: true,
  sourcemap: true,
  /**
   * The map carries positions and names, not the sources: stack traces need only those (see nodeOptions), and
   * the sources made it 3x larger (bot: 7.6 -> 2.5 MiB).
   */
  sourcesContent: false,
  /**
   * NODE_OPTIONS of every function (none). Stack traces in CloudWatch still point at the TypeScript sources:
   * lambdas/src/composition/mapped-stack-traces.ts reads a bundle file's map when a trace is first formatted.
   * `--enable-source-maps` did it by reading and indexing the map of the entry and of every chunk at load, ≈ 15 ms
   * of the bot's cold import (7%) for traces most containers never print. No heap flags either: the runtime's
   * bootstrap starts `node` with `--max-semi-space-size` (memory / 20 MiB) and `--max-old-space-size` on its command
   * line, which wins over NODE_OPTIONS; the bot bench gives its bot process the same flags
   * (bench/src/support/bot/lambda-heap-flags.ts).
   */
  nodeOptions: '',
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __rackopsCreateRequire } from 'node:module'; const require = __rackopsCreateRequire(import.meta.url);",
  /** Nothing external: see AWS_SDK_PACKAGES. */
  external: [] as string[],
  outExtension: '.mjs',
  /**
   * Code split at `await import()`: what only some events need (the Teams notification parts of the workflow
   * Lambdas, the bot's catalog reader and e-mail sender) goes to chunk files next to index.mjs in the same asset,
   * and is compiled only by the container whose event first needs it. Every function imports less at a cold start.
   */
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
} as const;

/**
 * The nodejs22.x runtime ships an AWS SDK v3, so each `@aws-sdk/*` package could be left out of the bundle. Decided
 * per package; all are bundled, for one reason each:
 * - the clients share `@smithy/*` middleware: taking one client from the runtime and bundling another would put two
 *   versions of the same middleware stack in one process, with nothing testing that mix;
 * - lib-dynamodb's marshalling (undefined values, number precision) is what the Store's tests pin at 3.1164.0,
 *   and the runtime's copy moves with AWS's release schedule, not ours;
 * - the bench shows what the SDK costs (@smithy/core ≈ 140 KiB, ≈ 60 KiB per client), small next to the 2 MiB
 *   budget, and the cold import it adds is measured by `npm run bench -- bundle` (cold_import_ms).
 */
export const AWS_SDK_PACKAGES: Readonly<Record<string, 'bundled' | 'runtime'>> = {
  '@aws-sdk/client-dynamodb': 'bundled',
  '@aws-sdk/lib-dynamodb': 'bundled',
  '@aws-sdk/client-sqs': 'bundled',
  '@aws-sdk/client-sfn': 'bundled',
  '@aws-sdk/client-scheduler': 'bundled',
  '@aws-sdk/client-secrets-manager': 'bundled',
};

/**
 * The full esbuild options for one Lambda entry, written to `outfile` (its chunks, if any, to `chunks/` beside it:
 * the directory of `outfile` is the function's asset).
 */
export function lambdaBuildOptions(entry: string, outfile: string, absWorkingDir: string): BuildOptions {
  return {
    entryPoints: [entry],
    outdir: dirname(outfile),
    entryNames: basename(outfile, LAMBDA_BUNDLE.outExtension),
    outExtension: { '.js': LAMBDA_BUNDLE.outExtension },
    splitting: LAMBDA_BUNDLE.splitting,
    chunkNames: LAMBDA_BUNDLE.chunkNames,
    absWorkingDir,
    bundle: true,
    treeShaking: true,
    platform: LAMBDA_BUNDLE.platform,
    target: LAMBDA_BUNDLE.target,
    format: LAMBDA_BUNDLE.format,
    minify: LAMBDA_BUNDLE.minify,
    keepNames: LAMBDA_BUNDLE.keepNames,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    external: [
      ...LAMBDA_BUNDLE.external,
      ...Object.entries(AWS_SDK_PACKAGES)
        .filter(([, where]) => where === 'runtime')
        .map(([pkg]) => pkg),
    ],
    plugins: lambdaBundlePlugins(),
    metafile: true,
    logLevel: 'warning',
  };
}
