import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Mode } from './catalog/parse-child';
import { writeFullSizeCatalog } from './catalog/full-size-catalog';
import { printTable, round } from './support/report';
import { childJson } from './support/child-json';

/**
 * `npm run bench -- catalog`: a full-size UTF-16 Dell catalog (≈ 18,000 components) parsed by the streaming
 * reader (whole catalog, and only a 6-model fleet), by the former whole-file reader (read, decode,
 * validate, fast-xml-parser tree), and by nothing (node's own baseline). Each run is a fresh `node` on an
 * esbuild bundle (as in a Lambda), so its peak RSS (VmHWM) is node's plus that reader's. Targets (issue 20): < 2 s, < 150 MiB.
 */
interface ChildResult {
  mode: Mode;
  parseS: number;
  peakRssMiB: number;
  components: number;
}

const FLEET_MODELS = 6;

function runChild(bundle: string, mode: Mode, file: string, models: string[]): Promise<ChildResult> {
  return childJson<ChildResult>([bundle, mode, file, models.join(',')], `catalog child (${mode})`);
}

export async function run(_args: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rackops-bench-catalog-'));
  try {
    const bundle = join(dir, 'parse-child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./catalog/parse-child.ts', import.meta.url))],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
    });
    const file = join(dir, 'Catalog.xml');
    const t = performance.now();
    const gen = writeFullSizeCatalog(file);
    const genS = (performance.now() - t) / 1000;
    const fleet = gen.models.filter((_, i) => i % Math.floor(gen.models.length / FLEET_MODELS) === 0);
    const fleetModels = fleet.slice(0, FLEET_MODELS);
    const results: Record<Mode, ChildResult> = {} as Record<Mode, ChildResult>;
    for (const mode of ['none', 'stream', 'fleet', 'old'] as const)
      results[mode] = await runChild(bundle, mode, file, fleetModels);
    if (results.stream.components !== gen.components || results.old.components !== gen.components)
      throw new Error(`component count differs: ${JSON.stringify(results)}`);
    const mb = round(gen.bytes / 1e6);
    printTable([
      {
        reader: 'child baseline (no parse)',
        parse_s: 0,
        peak_rss_mib: results.none.peakRssMiB,
        components: 0,
      },
      {
        reader: 'streaming, whole catalog',
        parse_s: round(results.stream.parseS, 2),
        peak_rss_mib: results.stream.peakRssMiB,
        components: results.stream.components,
      },
      {
        reader: `streaming, fleet of ${fleetModels.length} models`,
        parse_s: round(results.fleet.parseS, 2),
        peak_rss_mib: results.fleet.peakRssMiB,
        components: results.fleet.components,
      },
      {
        reader: 'former (whole file, fast-xml-parser)',
        parse_s: round(results.old.parseS, 2),
        peak_rss_mib: results.old.peakRssMiB,
        components: results.old.components,
      },
    ]);
    console.log(
      `catalog: ${mb} MB UTF-16, ${gen.components} components, ${gen.models.length} models (generated in ${genS.toFixed(1)} s); targets < 2 s, < 150 MiB`,
    );
    console.log(
      JSON.stringify({
        bench: 'catalog',
        mb,
        components: gen.components,
        parse_s: round(results.stream.parseS, 2),
        peak_rss_mib: results.stream.peakRssMiB,
        fleet_parse_s: round(results.fleet.parseS, 2),
        fleet_peak_rss_mib: results.fleet.peakRssMiB,
        fleet_components: results.fleet.components,
        baseline_rss_mib: results.none.peakRssMiB,
        old_parse_s: round(results.old.parseS, 2),
        old_peak_rss_mib: results.old.peakRssMiB,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
