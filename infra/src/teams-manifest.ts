import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from './handlers';

export const TEAMS_MANIFEST_TEMPLATE = join(REPO_ROOT, 'infra', 'teams-app', 'manifest.template.json');

/** What the operator fills in (see README "Deploy to AWS"). */
export const TeamsManifestValues = z.object({
  /** The Teams app's own id (any GUID you keep for the app's lifetime). */
  teamsAppId: z.uuid(),
  /** The Entra app registration id of the bot: `microsoftAppId` in the bot secret. */
  botAppId: z.uuid(),
  /** Semantic version; bump it for every upload. */
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  publisherName: z.string().min(1).max(32),
  publisherUrl: z.url({ protocol: /^https$/ }).transform((u) => u.replace(/\/+$/, '')),
});
export type TeamsManifestValues = z.input<typeof TeamsManifestValues>;

/** Thrown when a manifest cannot be rendered: bad values or a placeholder nobody filled. */
export class TeamsManifestError extends Error {
  override readonly name = 'TeamsManifestError';
}

/** Fills `{{name}}` placeholders of the manifest template; every placeholder must be known. */
export function renderTeamsManifest(values: TeamsManifestValues, template?: string): Record<string, unknown> {
  const parsed = TeamsManifestValues.safeParse(values);
  if (!parsed.success) {
    throw new TeamsManifestError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const known = parsed.data as Record<string, string>;
  const source = template ?? readFileSync(TEAMS_MANIFEST_TEMPLATE, 'utf8');
  const rendered = source.replace(/\{\{([A-Za-z]+)\}\}/g, (match, name: string) => {
    const value = known[name];
    if (value === undefined) throw new TeamsManifestError(`unknown placeholder ${match}`);
    // Values land inside JSON strings.
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(rendered) as Record<string, unknown>;
}
