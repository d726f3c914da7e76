import { resolve } from 'node:path';
import { build } from 'esbuild';
import { lambdaBuildOptions } from './bundling';
import { REPO_ROOT } from './handlers';

/**
 * `node --import tsx infra/src/bundle-cli.ts <entry> <outfile>`: bundles one Lambda with the plugins of
 * bundle-plugins.ts. NodejsFunction runs esbuild as a command line, which takes no plugins, so the stack runs this
 * as its afterBundling hook: it replaces the asset's index.mjs (and map) with the bundle the bench measures.
 */
async function main(argv: string[]): Promise<void> {
  const [entry, outfile] = argv;
  if (!entry || !outfile) throw new Error('usage: bundle-cli <entry> <outfile>');
  await build(lambdaBuildOptions(resolve(entry), resolve(outfile), REPO_ROOT));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
