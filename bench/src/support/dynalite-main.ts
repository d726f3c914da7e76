import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite } from '@rackops/local/dynalite';

/**
 * dynalite in a process of its own (as DynamoDB is never on the bot's or the orchestrator's event loop); prints
 * `{"endpoint":…}` and serves until SIGTERM. `--memory` keeps the tables in memory (as the local stack's own
 * dynalite does), else in LevelDB files in a temp dir.
 */
const memory = process.argv.includes('--memory');
const dir = memory ? undefined : mkdtempSync(join(tmpdir(), 'rackops-bench-dynalite-'));
const dyn = await startDynalite(dir ? { path: dir } : {});
console.log(JSON.stringify({ endpoint: dyn.endpoint }));
process.once('SIGTERM', () => {
  void dyn.close().finally(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
