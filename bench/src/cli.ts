import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@rackops/core/polyfills';
import { silenceSdkNodeNotice } from '@rackops/local/node-support';

/** `npm run bench -- <name>`: runs bench/src/<name>.bench.ts, which prints a table and one final JSON line. */
silenceSdkNodeNotice();
const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const mod = (await import(`./${name}.bench.ts`)) as { run: (args: string[]) => Promise<void> };
await mod.run(process.argv.slice(3));
