import { describe, expect, it } from 'vitest';
import { describeCommandResult } from '../src/workflows/command-result';
import { scpRestoreProblem } from '../src/workflows/scp-result-text';

const diff = {
  total: 1,
  truncated: false,
  components: [
    {
      fqdd: 'BIOS.Setup.1-1',
      changed: [{ name: 'BootMode', from: 'Uefi', to: 'Bios' }],
      added: [],
      removed: [],
    },
  ],
};
const target = { type: 'idrac', id: 'ABC1234' };

describe('SCP results in words', () => {
  it('a diff reads backup → host; a restore preview reads host → backup and says how to run it', () => {
    const compare = describeCommandResult({ kind: 'scp.diff', params: { backupId: 'B1' }, target } as never, {
      from: 'B1',
      to: 'current',
      diff,
    });
    expect(compare.summary).toBe('1 attribute(s) differ from B1 to ABC1234 now');
    expect(compare.facts[0]?.value).toBe('BIOS.Setup.1-1 BootMode: Uefi → Bios');
    const preview = describeCommandResult(
      { kind: 'scp.diff', params: { backupId: 'B1', purpose: 'restore-preview' }, target } as never,
      { from: 'B1', to: 'current', diff },
    );
    expect(preview.summary).toContain('restoring B1 would change 1 attribute(s) on ABC1234');
    expect(preview.summary).toContain('`scp restore ABC1234 B1 [graceful|forced|no-reboot] confirm`');
    expect(preview.facts[0]?.value).toBe('BIOS.Setup.1-1 BootMode: Bios → Uefi');
  });

  it('lists backups newest first with size, firmware and who/why', () => {
    const r = describeCommandResult({ kind: 'scp.backups', target } as never, {
      total: 1,
      backups: [
        {
          id: 'ABC1234-20261206T100000Z-JID1',
          hostId: 'ABC1234',
          takenAt: '2026-12-06T10:00:00.000Z',
          bytes: 2048,
          sha256: 'a'.repeat(64),
          format: 'JSON',
          firmware: { BIOS: '1.8.2' },
          by: 'Olga',
          reason: 'scp export (chat)',
          location: 'relay agent relay-1: /x',
        },
      ],
    });
    expect(r.summary).toContain('1 configuration backup(s) of ABC1234');
    expect(r.facts[0]).toEqual({
      title: '2026-12-06T10:00:00Z',
      value: 'ABC1234-20261206T100000Z-JID1 · 2 KB · BIOS 1.8.2 · Olga: scp export (chat)',
    });
  });

  it('a restore still differing on re-export is a scp_restore_unverified problem; a verified one is none', () => {
    const out = {
      backupId: 'B1',
      alreadyApplied: false,
      jobId: 'JID_1',
      changes: 1,
      verified: false,
      remaining: {
        ...diff,
        components: [{ ...diff.components[0], changed: [{ name: 'BootMode', from: 'Bios', to: 'Uefi' }] }],
      },
    };
    expect(scpRestoreProblem({ kind: 'scp.import' }, out)).toMatch(
      /^scp_restore_unverified: after importing B1, 1 attribute\(s\) still differ from the backup \(BIOS.Setup.1-1 BootMode: Bios → Uefi\)/,
    );
    expect(scpRestoreProblem({ kind: 'scp.import' }, { ...out, verified: true })).toBeUndefined();
    expect(scpRestoreProblem({ kind: 'scp.export' }, out)).toBeUndefined();
  });
});
