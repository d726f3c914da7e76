import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { LAMBDA_BUNDLE, lambdaBuildOptions } from '@rackops/infra/bundling';
import { lambdaFunctions, REPO_ROOT } from '@rackops/infra/handlers';
import { lambdaNodeOrOwn } from './support/lambda-node';
import { build, type Metafile } from 'esbuild';

const kib = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;

/**
 * `npm run bench -- bundle`: bundles every Lambda the stack deploys, with the stack's esbuild settings
 * (infra/src/bundling.ts), and reports the code size of each (`index.mjs` and its chunks, source maps excluded)
 * and what of it a cold start imports.
 */
export async function run(_args: string[]): Promise<void> {
  const handlers = lambdaFunctions();
  const out = mkdtempSync(join(tmpdir(), 'rackops-bundle-'));
  const rows: {
    name: string;
    entry: string;
    kib: number;
    importKib: number;
    chunks: number;
    gzipKib: number;
    ms: number;
    top: string;
    loads: string;
    topInputs: [string, number][];
    cold: { ms: number; benchNodeMs: number };
    refuses: string;
  }[] = [];
  // Cold imports are timed with the functions' Node (lambda-node.ts), and with the Node running the bench beside.
  const cold = lambdaNodeOrOwn('cold imports timed');
  const twoNodes = cold.path !== process.execPath;
  // Each cold import on both Nodes; on the one only, when the functions' could not be had.
  const timed = (file: string | undefined) => {
    const ms = medianOf(COLD_RUNS, () => coldImportMs(file, cold.path));
    return {
      ms,
      benchNodeMs: twoNodes ? medianOf(COLD_RUNS, () => coldImportMs(file, process.execPath)) : ms,
    };
  };
  const boot = timed(undefined);
  try {
    for (const h of handlers) {
      const outfile = join(out, h.name, `index${LAMBDA_BUNDLE.outExtension}`);
      const started = performance.now();
      const result = await build(lambdaBuildOptions(h.entry, outfile, REPO_ROOT));
      const outputs = result.metafile?.outputs ?? {};
      const code = Object.keys(outputs).filter((o) => !o.endsWith('.map'));
      const loaded = importedAtLoad(outputs, relative(REPO_ROOT, outfile));
      const inputs = mergedInputs(code.map((o) => outputs[o]?.inputs ?? {}));
      const ms = Math.round(performance.now() - started);
      rows.push({
        name: h.name,
        entry: relative(REPO_ROOT, h.entry),
        kib: kib(code.reduce((sum, o) => sum + statSync(join(REPO_ROOT, o)).size, 0)),
        importKib: kib(loaded.reduce((sum, o) => sum + statSync(join(REPO_ROOT, o)).size, 0)),
        chunks: code.length - 1,
        gzipKib: kib(code.reduce((sum, o) => sum + gzipSync(readFileSync(join(REPO_ROOT, o))).length, 0)),
        ms,
        top: topPackages(inputs, 3),
        loads: await loads(outfile, h.exportName),
        topInputs: topInputs(inputs, 10),
        cold: timed(outfile),
        refuses: await refusesEmptyEvent(outfile, h.exportName),
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  console.table(
    rows.map((r) => ({
      function: r.name,
      entry: r.entry,
      KiB: r.kib,
      'at import KiB': r.importKib,
      chunks: r.chunks,
      'gzip KiB': r.gzipKib,
      ms: r.ms,
      loads: r.loads,
      [`cold import ms (${cold.version})`]: r.cold.ms,
      ...(twoNodes ? { [`(${process.version})`]: r.cold.benchNodeMs } : {}),
      'refuses {}': r.refuses,
    })),
  );
  console.log(
    `bare node boot (no import): ${boot.ms} ms with ${cold.version}, ${boot.benchNodeMs} ms with ${process.version}; medians of ${COLD_RUNS}`,
  );
  // Where the bytes come from, so a regression names its cause.
  console.table(rows.map((r) => ({ function: r.name, 'largest parts (KiB)': r.top })));
  const largestRow = rows.reduce<(typeof rows)[number] | undefined>(
    (m, r) => (m && m.kib >= r.kib ? m : r),
    undefined,
  );
  if (largestRow) {
    console.log(`top 10 inputs of the largest bundle (${largestRow.name}), from the esbuild metafile:`);
    console.table(largestRow.topInputs.map(([input, bytes]) => ({ input, KiB: kib(bytes) })));
  }
  const largest = rows.reduce((m, r) => Math.max(m, r.kib), 0);
  const total = Math.round(rows.reduce((s, r) => s + r.kib, 0) * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'bundle',
      functions: rows.length,
      largest_kib: largest,
      total_kib: total,
      // The Node the functions run on (nodejs22.x), when it could be installed; else the bench's own.
      cold_import_node: cold.version,
      node_boot_ms: boot.ms,
      cold_import_ms: Object.fromEntries(rows.map((r) => [r.name, r.cold.ms])),
      bench_node: process.version,
      bench_node_boot_ms: boot.benchNodeMs,
      cold_import_ms_bench_node: Object.fromEntries(rows.map((r) => [r.name, r.cold.benchNodeMs])),
      // What a cold start compiles: index.mjs and the chunks it imports statically (the rest load on first use).
      import_kib: Object.fromEntries(rows.map((r) => [r.name, r.importKib])),
      // Entry modules that load and, called with an empty event, refuse it cleanly (infra's bundled-entries
      // test drives each one with real-shaped events against local endpoints).
      entries_checked: rows.filter((r) => r.loads === 'yes' && r.refuses === 'yes').length,
    }),
  );
}

/**
 * The output files a cold start loads: the entry and, transitively, the chunks it imports statically. Chunks
 * reached only through `import()` are compiled when an event first needs them (bundling.ts `splitting`).
 */
function importedAtLoad(outputs: Metafile['outputs'], entry: string): string[] {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift())
    for (const imported of outputs[file]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external && !seen.has(imported.path)) {
        seen.add(imported.path);
        queue.push(imported.path);
      }
  return [...seen];
}

/** The inputs of several output files (entry and chunks), bytes added up per input. */
function mergedInputs(
  perOutput: Record<string, { bytesInOutput: number }>[],
): Record<string, { bytesInOutput: number }> {
  const merged: Record<string, { bytesInOutput: number }> = {};
  for (const inputs of perOutput)
    for (const [path, { bytesInOutput }] of Object.entries(inputs))
      merged[path] = { bytesInOutput: (merged[path]?.bytesInOutput ?? 0) + bytesInOutput };
  return merged;
}

/** The packages (or `repo:<workspace>` for our code) contributing most bytes to one bundle. */
function topPackages(inputs: Record<string, { bytesInOutput: number }>, n: number): string {
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? `repo:${path.split('/')[0] ?? '?'}`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([pkg, bytes]) => `${pkg} ${kib(bytes)}`)
    .join(', ');
}

/** The `n` inputs (files) contributing most bytes to one bundle. */
function topInputs(inputs: Record<string, { bytesInOutput: number }>, n: number): [string, number][] {
  return Object.entries(inputs)
    .map(([path, { bytesInOutput }]): [string, number] => [path, bytesInOutput])
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
}

/** Cold imports are timed this many times each; the median is reported (the machine is shared). */
const COLD_RUNS = 5;

function medianOf(runs: number, measure: () => number): number {
  const xs = Array.from({ length: runs }, measure).sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)] ?? 0;
}

/**
 * Wall time of a fresh `node` that imports the bundle and exits, as a Lambda cold start pays it (without the
 * runtime's own boot), with the functions' NODE_OPTIONS; without a file, the bare `node` boot the import time is
 * read against.
 */
function coldImportMs(file: string | undefined, node: string): number {
  const code = file ? `await import(${JSON.stringify(pathToFileURL(file).href)});` : '';
  const started = performance.now();
  // With the NODE_OPTIONS the functions run with (bundling.ts nodeOptions).
  const run = spawnSync(node, ['--input-type=module', '-e', code], {
    env: { ...process.env, NODE_OPTIONS: LAMBDA_BUNDLE.nodeOptions },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - started;
  if (run.status !== 0)
    throw new Error(`cold import of ${file} failed: ${run.stderr.toString().slice(0, 200)}`);
  return Math.round(ms);
}

/**
 * Imports the bundle as Lambda would and checks the handler export is a function: a bundle that builds but
 * cannot load (e.g. a dependency given the wrong copy of a package) shows here, not in production. Handlers
 * create no client at module load, so importing is side-effect free.
 */
async function loads(file: string, exportName: string): Promise<string> {
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    return typeof mod[exportName] === 'function' ? 'yes' : `no ${exportName} export`;
  } catch (err) {
    return `NO: ${err instanceof Error ? err.message.slice(0, 80) : String(err)}`;
  }
}

/**
 * Calls the bundle's handler with `{}` and no AWS environment, as a misconfigured trigger would: it must refuse
 * (throw, or answer 4xx) within 10 s without touching the network.
 */
async function refusesEmptyEvent(file: string, exportName: string): Promise<string> {
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const handler = mod[exportName];
    if (typeof handler !== 'function') return 'no handler';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((r) => {
      timer = setTimeout(() => r('NO: still running after 10 s'), 10_000);
    });
    const call = (async () => {
      try {
        const out = (await handler({})) as { statusCode?: number } | undefined;
        return out?.statusCode && out.statusCode >= 400 && out.statusCode < 500 ? 'yes' : 'NO: accepted {}';
      } catch (err) {
        return err instanceof Error ? 'yes' : 'NO: threw a non-Error';
      }
    })();
    const verdict = await Promise.race([call, timeout]);
    clearTimeout(timer);
    return verdict;
  } catch (err) {
    return `NO: ${err instanceof Error ? err.message.slice(0, 80) : String(err)}`;
  }
}
