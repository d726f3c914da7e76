import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite } from '@rackops/local/dynalite';

/**
 * dynalite in a process of its own (as DynamoDB is never on the bot's event loop); prints `{"endpoint":…}` and
 * serves until SIGTERM.
 */
const dir = mkdtempSync(join(tmpdir(), 'rackops-bench-dynalite-'));
const dyn = await startDynalite({ path: dir });
console.log(JSON.stringify({ endpoint: dyn.endpoint }));
process.once('SIGTERM', () => {
  void dyn.close().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
