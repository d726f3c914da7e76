import { describe, expect, it } from 'vitest';
import { renderTeamsManifest, TeamsManifestError } from '../src/teams-manifest';

const values = {
  teamsAppId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
  botAppId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
  version: '1.2.3',
  publisherName: 'Example Ops',
  publisherUrl: 'https://ops.example.com/',
};

describe('renderTeamsManifest', () => {
  it('fills the repository template: app id, bot id, version, publisher', () => {
    const m = renderTeamsManifest(values) as {
      id: string;
      version: string;
      developer: { name: string; privacyUrl: string };
      bots: { botId: string; commandLists: { commands: unknown[] }[] }[];
    };
    expect(m.id).toBe(values.teamsAppId);
    expect(m.version).toBe('1.2.3');
    expect(m.developer).toMatchObject({ name: 'Example Ops', privacyUrl: 'https://ops.example.com/privacy' });
    expect(m.bots[0]?.botId).toBe(values.botAppId);
    // Teams accepts at most 10 commands per command list.
    for (const list of m.bots[0]?.commandLists ?? []) expect(list.commands.length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(m)).not.toContain('{{');
  });

  it('refuses ids that are not GUIDs and non-https publisher URLs', () => {
    expect(() => renderTeamsManifest({ ...values, botAppId: 'bot' })).toThrow(TeamsManifestError);
    expect(() => renderTeamsManifest({ ...values, publisherUrl: 'http://ops.example.com' })).toThrow(
      /publisherUrl/,
    );
  });

  it('refuses a template placeholder it does not know', () => {
    expect(() => renderTeamsManifest(values, '{"id":"{{teamsAppId}}","x":"{{tenant}}"}')).toThrow(
      /\{\{tenant\}\}/,
    );
  });

  it('escapes values for JSON', () => {
    const m = renderTeamsManifest(
      { ...values, publisherName: 'A "quoted" name' },
      '{"n":"{{publisherName}}"}',
    );
    expect(m).toEqual({ n: 'A "quoted" name' });
  });
});
