import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AttackCatalogue, AttackOutcome } from './security/attack';
import { printTable } from './support/report';

/**
 * `npm run bench -- security [area…]`: runs every attack catalogue in `security/*.attacks.ts` against the real
 * components and prints one row per area, the escapes by name, and `{"bench":"security","cases":N,"refused":N,
 * "escaped":0}`. Exit code 1 when anything escaped.
 */
export async function run(args: string[]): Promise<void> {
  const dir = fileURLToPath(new URL('./security/', import.meta.url));
  const areas = readdirSync(dir)
    .filter((f) => f.endsWith('.attacks.ts'))
    .map((f) => f.replace(/\.attacks\.ts$/, ''))
    .filter((a) => args.length === 0 || args.includes(a))
    .sort();
  const all: AttackOutcome[] = [];
  const rows: Record<string, string | number>[] = [];
  for (const area of areas) {
    const started = performance.now();
    const mod = (await import(`./security/${area}.attacks.ts`)) as { run: AttackCatalogue };
    const outcomes = await mod.run();
    all.push(...outcomes);
    rows.push({
      area,
      cases: outcomes.length,
      refused: outcomes.filter((o) => o.refused).length,
      escaped: outcomes.filter((o) => !o.refused).length,
      ms: Math.round(performance.now() - started),
    });
  }
  printTable(rows);
  const escaped = all.filter((o) => !o.refused);
  for (const e of escaped) console.log(`ESCAPED ${e.area} · ${e.name}: ${e.detail}`);
  const summary = {
    bench: 'security',
    cases: all.length,
    refused: all.length - escaped.length,
    escaped: escaped.length,
  };
  console.log(JSON.stringify(summary));
  if (escaped.length > 0) process.exitCode = 1;
}
