import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderTeamsManifest } from './teams-manifest';

/**
 * `npx tsx infra/src/render-teams-manifest.ts --teams-app-id <guid> --bot-app-id <guid> --publisher-name X
 *  --publisher-url https://... [--version 1.0.0] [--out cdk.out/teams-app]`
 * Writes manifest.json; add color.png (192x192) and outline.png (32x32) and zip the three files.
 */
const { values } = parseArgs({
  options: {
    'teams-app-id': { type: 'string' },
    'bot-app-id': { type: 'string' },
    'publisher-name': { type: 'string' },
    'publisher-url': { type: 'string' },
    version: { type: 'string', default: '1.0.0' },
    out: { type: 'string', default: 'cdk.out/teams-app' },
  },
});
const manifest = renderTeamsManifest({
  teamsAppId: values['teams-app-id'] ?? '',
  botAppId: values['bot-app-id'] ?? '',
  publisherName: values['publisher-name'] ?? '',
  publisherUrl: values['publisher-url'] ?? '',
  version: values.version ?? '1.0.0',
});
const out = values.out ?? 'cdk.out/teams-app';
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`wrote ${join(out, 'manifest.json')}\n`);
