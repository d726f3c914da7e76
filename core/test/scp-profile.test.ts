import { describe, expect, it } from 'vitest';
import { BackupRecord, backupIdFor, sortBackups } from '../src/scp/backup-record';
import { capDiff } from '../src/scp/diff-cap';
import { diffProfiles, restoreDiff } from '../src/scp/profile-diff';
import { ScpProfileError, flattenProfile, parseProfile } from '../src/scp/profile.schema';

const profile = (components: Array<{ FQDD: string; Attributes: Array<{ Name: string; Value: unknown }> }>) =>
  JSON.stringify({
    SystemConfiguration: {
      Model: 'PowerEdge R650',
      ServiceTag: 'ABC1234',
      TimeStamp: 'x',
      Components: components,
    },
  });

describe('SCP profile', () => {
  it('parses a JSON export, flattening nested components and stringifying values', () => {
    const p = parseProfile(
      profile([
        { FQDD: 'BIOS.Setup.1-1', Attributes: [{ Name: 'BootMode', Value: 'Uefi' }] },
        {
          FQDD: 'RAID.Integrated.1-1',
          Attributes: [{ Name: 'RAIDMode', Value: 'None' }],
          // @ts-expect-error nested components are part of the format
          Components: [
            { FQDD: 'Disk.Virtual.0:RAID.Integrated.1-1', Attributes: [{ Name: 'Size', Value: 42 }] },
          ],
        },
      ]),
    );
    const flat = flattenProfile(p);
    expect([...flat.keys()]).toEqual([
      'BIOS.Setup.1-1',
      'RAID.Integrated.1-1',
      'Disk.Virtual.0:RAID.Integrated.1-1',
    ]);
    expect(flat.get('Disk.Virtual.0:RAID.Integrated.1-1')?.get('Size')).toBe('42');
  });

  it('refuses what is not a JSON profile with a clear error', () => {
    expect(() => parseProfile('<SystemConfiguration/>')).toThrow(/not JSON/);
    expect(() => parseProfile('{"SystemConfiguration":{"Model":"x"}}')).toThrow(ScpProfileError);
    expect(() => parseProfile('{"SystemConfiguration":{"Model":"x"}}')).toThrow(/ServiceTag/);
  });
});

describe('SCP diff', () => {
  const a = parseProfile(
    profile([
      {
        FQDD: 'BIOS.Setup.1-1',
        Attributes: [
          { Name: 'BootMode', Value: 'Uefi' },
          { Name: 'SysProfile', Value: 'PerfOptimized' },
          { Name: 'Old', Value: 'x' },
        ],
      },
      { FQDD: 'iDRAC.Embedded.1', Attributes: [{ Name: 'NTP.1#NTP1', Value: 'ntp1' }] },
      { FQDD: 'Gone.1', Attributes: [{ Name: 'A', Value: '1' }] },
    ]),
  );
  const b = parseProfile(
    profile([
      {
        FQDD: 'BIOS.Setup.1-1',
        Attributes: [
          { Name: 'BootMode', Value: 'Bios' },
          { Name: 'SysProfile', Value: 'PerfOptimized' },
          { Name: 'New', Value: 'y' },
        ],
      },
      { FQDD: 'iDRAC.Embedded.1', Attributes: [{ Name: 'NTP.1#NTP1', Value: 'ntp1' }] },
    ]),
  );

  it('reports changed, added and removed attributes per component, unchanged components left out', () => {
    const d = diffProfiles(a, b);
    expect(d).toEqual({
      total: 4,
      components: [
        {
          fqdd: 'BIOS.Setup.1-1',
          changed: [{ name: 'BootMode', from: 'Uefi', to: 'Bios' }],
          added: [{ name: 'New', value: 'y' }],
          removed: [{ name: 'Old', value: 'x' }],
        },
        { fqdd: 'Gone.1', changed: [], added: [], removed: [{ name: 'A', value: '1' }] },
      ],
    });
  });

  it('finds nothing between a profile and itself, and reverses direction', () => {
    expect(diffProfiles(a, a)).toEqual({ components: [], total: 0 });
    expect(diffProfiles(b, a).components[0]?.changed).toEqual([
      { name: 'BootMode', from: 'Bios', to: 'Uefi' },
    ]);
  });
});

describe('backup record', () => {
  const base = {
    hostId: 'ABC1234',
    takenAt: '2026-12-06T10:00:00.000Z',
    bytes: 10,
    sha256: 'a'.repeat(64),
    format: 'JSON',
    location: 'agent relay-1',
  };

  it('makes ids that are tokens, not paths, and validates records', () => {
    const id = backupIdFor('ABC1234', new Date('2026-12-06T10:00:00.123Z'), 'JID_123/../x');
    expect(id).toBe('ABC1234-20261206T100000Z-JID123x');
    expect(BackupRecord.parse({ ...base, id }).firmware).toEqual({});
    expect(BackupRecord.safeParse({ ...base, id: '../etc' }).success).toBe(false);
    expect(BackupRecord.safeParse({ ...base, id, hostId: 'a/b' }).success).toBe(false);
    expect(BackupRecord.safeParse({ ...base, id, sha256: 'nope' }).success).toBe(false);
  });

  it('sorts newest first', () => {
    const r = (id: string, takenAt: string) => BackupRecord.parse({ ...base, id, takenAt });
    const s = sortBackups([r('a', '2026-01-01T00:00:00Z'), r('b', '2026-03-01T00:00:00Z')]);
    expect(s.map((x) => x.id)).toEqual(['b', 'a']);
  });
});

describe('restore diff and capping', () => {
  const p = (attrs: Record<string, string>) =>
    parseProfile(
      JSON.stringify({
        SystemConfiguration: {
          Model: 'M',
          ServiceTag: 'T',
          Components: [
            {
              FQDD: 'BIOS.Setup.1-1',
              Attributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
            },
          ],
        },
      }),
    );

  it('counts what an import would change, not what only the host has', () => {
    const d = restoreDiff(p({ A: '1', B: '2', HostOnly: 'x' }), p({ A: '1', B: '3', New: 'n' }));
    expect(d.total).toBe(2);
    expect(d.components[0]).toMatchObject({
      changed: [{ name: 'B', from: '2', to: '3' }],
      added: [{ name: 'New' }],
      removed: [],
    });
    expect(restoreDiff(p({ A: '1', X: '9' }), p({ A: '1' })).total).toBe(0);
  });

  it('caps a large diff and says so', () => {
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`K${i}`, `${i}`]));
    const other = Object.fromEntries(Object.keys(many).map((k) => [k, 'changed']));
    const capped = capDiff(diffProfiles(p(many), p(other)), 4);
    expect(capped.truncated).toBe(true);
    expect(capped.total).toBe(10);
    expect(capped.components[0]?.changed).toHaveLength(4);
    expect(capDiff(diffProfiles(p(many), p(other)), 10).truncated).toBe(false);
  });
});
