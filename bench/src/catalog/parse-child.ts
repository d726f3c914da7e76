import { createReadStream, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseCatalogChunks } from '@rackops/core/catalog/catalog-sax';
import { decodeCatalogBytes, parseCatalogXml } from '@rackops/core/catalog/catalog-xml';

/**
 * The catalog bench's child: `node parse-child.mjs <mode> <file> <models,…>` parses once and prints
 * `{mode, parseS, peakRssMiB, components}`. The bench bundles it with esbuild and runs it under plain
 * `node`, as a Lambda runs its bundle, so the peak RSS is node's plus the reader's — no tsx compiler.
 */
export type Mode = 'stream' | 'fleet' | 'old' | 'none';

async function peakRssMiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return Math.round((m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576) * 10) / 10;
}

const [mode, file, models] = process.argv.slice(2) as [Mode, string, string | undefined];
const started = performance.now();
let components = 0;
if (mode === 'old') {
  components = parseCatalogXml(decodeCatalogBytes(readFileSync(file))).components.length;
} else if (mode !== 'none') {
  const opts = mode === 'fleet' ? { systemIds: (models ?? '').split(',').filter(Boolean) } : {};
  // 128 KiB reads, as loadCatalog does.
  const catalog = await parseCatalogChunks(createReadStream(file, { highWaterMark: 1 << 17 }), opts);
  components = catalog.components.length;
}
const parseS = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ mode, parseS, peakRssMiB: await peakRssMiB(), components })}\n`);
