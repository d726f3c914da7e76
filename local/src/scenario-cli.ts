import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@rackops/core/polyfills';
import { silenceSdkNodeNotice } from './node-support';

/**
 * `npm run scenario -- <name>`: runs local/src/scenarios/<name>.scenario.ts end to end on the lab and prints
 * one final JSON line `{"scenario":name,"ok":...}`; exits non-zero when not ok.
 */
silenceSdkNodeNotice();
const dir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.scenario.ts'))
  .map((f) => f.replace(/\.scenario\.ts$/, ''))
  .sort();
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run scenario -- <name>\navailable: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const mod = (await import(`./scenarios/${name}.scenario.ts`)) as {
  run: () => Promise<Record<string, unknown> & { ok: boolean }>;
};
let result: Record<string, unknown> & { ok: boolean };
try {
  result = await mod.run();
} catch (err) {
  result = { ok: false, error: err instanceof Error ? err.message : String(err) };
}
console.log(JSON.stringify({ scenario: name, ...result }));
process.exit(result.ok ? 0 : 1);
