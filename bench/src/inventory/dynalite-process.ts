import '@rackops/core/polyfills';
import { startDynalite } from '@rackops/local/dynalite';

/**
 * dynalite in a process of its own (as DynamoDB is never in the Lambda's): prints `{"endpoint":…}` once
 * listening, stops on SIGTERM. `--path <dir>`: LevelDB on disk instead of in memory.
 */
const at = process.argv.indexOf('--path');
const path = at >= 0 ? process.argv[at + 1] : undefined;
const dynalite = await startDynalite(path ? { path } : {});
console.log(JSON.stringify({ endpoint: dynalite.endpoint }));
process.once('SIGTERM', () => {
  void dynalite.close().then(() => process.exit(0));
});
