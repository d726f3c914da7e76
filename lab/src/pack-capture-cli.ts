import { writeFileSync } from 'node:fs';
import { packMockup, PRUNED_SUBTREES, readMockupTree } from './idrac/capture-pack';

/**
 * Repacks a Redfish mockup tree into the lab's one-file capture:
 *   npx tsx lab/src/pack-capture-cli.ts <mockup dir holding redfish/> <out .json.gz>
 * How the vendored R750 capture was made (lab/fixtures/redfish/dell-poweredge-r750/PROVENANCE.md).
 */
const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: pack-capture-cli <mockup dir> <out.json.gz>');
  process.exit(2);
}
const texts = readMockupTree(dir);
const gz = packMockup(texts);
writeFileSync(out, gz);
console.log(`${texts.size} resources (pruned: ${PRUNED_SUBTREES.join(', ')}) → ${out}, ${gz.length} bytes`);
