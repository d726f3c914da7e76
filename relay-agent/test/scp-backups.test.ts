import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

type Profile = {
  SystemConfiguration: {
    Components: Array<{ FQDD: string; Attributes: Array<{ Name: string; Value: string }> }>;
  };
};

describe('SCP backups: stored, listed, compared and restored against the lab', () => {
  let h: RelayHarness;
  const t = { type: 'idrac' as const, id: 'TEST001' };
  beforeAll(async () => {
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const run = async (env: ReturnType<RelayHarness['envelope']>) => {
    await h.send(env);
    return h.waitForResult(env.id, 30_000);
  };
  const ok = async (env: ReturnType<RelayHarness['envelope']>) => {
    const r = await run(env);
    expect(r.ok, `${env.kind}: ${JSON.stringify(r.error)}`).toBe(true);
    return r.output as Record<string, unknown>;
  };
  const host = () => h.lab.world.host('TEST001');
  const imports = () => [...host().jobs.values()].filter((j) => j.jobType === 'ImportConfiguration').length;

  let backupId = '';
  let file = '';
  let profile: Profile;

  it('stores an export as a backup with its record and lists it', async () => {
    const out = await ok(
      h.envelope('scp.export', t, { format: 'JSON', by: 'alice', reason: 'before BIOS tuning' }),
    );
    backupId = out.backupId as string;
    file = out.file as string;
    profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const list = await ok(h.envelope('scp.backups', t, {}));
    expect(list.total).toBe(1);
    expect((list.backups as unknown[])[0]).toMatchObject({
      id: backupId,
      hostId: 'TEST001',
      bytes: out.bytes,
      sha256: out.sha256,
      format: 'JSON',
      model: host().model,
      by: 'alice',
      reason: 'before BIOS tuning',
      firmware: { BIOS: expect.any(String) },
      location: expect.stringContaining(file),
    });
  });

  it('backup → change attributes → diff shows them → restore → re-export equals the backup', async () => {
    const first = (fqdd: string) => {
      const a = profile.SystemConfiguration.Components.find((c) => c.FQDD === fqdd)?.Attributes[0];
      if (!a) throw new Error(`no attribute in ${fqdd}`);
      return a;
    };
    const bios = first('BIOS.Setup.1-1');
    const idrac = first('iDRAC.Embedded.1');
    host().scpAttributes.set('BIOS.Setup.1-1', new Map([[bios.Name, 'Changed-By-Hand']]));
    host().scpAttributes.set('iDRAC.Embedded.1', new Map([[idrac.Name, 'Changed-Too']]));

    const diff = await ok(h.envelope('scp.diff', t, { backupId }));
    expect(diff).toMatchObject({ from: backupId, to: 'current', diff: { total: 2, truncated: false } });
    expect(diff.diff).toMatchObject({
      components: [
        { fqdd: 'BIOS.Setup.1-1', changed: [{ name: bios.Name, from: bios.Value, to: 'Changed-By-Hand' }] },
        { fqdd: 'iDRAC.Embedded.1', changed: [{ name: idrac.Name, from: idrac.Value, to: 'Changed-Too' }] },
      ],
    });

    const boot = host().lastBootAt;
    const env = h.envelope('scp.import', t, { backupId, shutdownType: 'Forced' });
    const restored = await ok(env);
    expect(restored).toMatchObject({
      backupId,
      alreadyApplied: false,
      changes: 2,
      verified: true,
      jobState: 'Completed',
    });
    expect(host().lastBootAt).not.toBe(boot);
    expect(imports()).toBe(1);

    const again = await ok(h.envelope('scp.export', t, { format: 'JSON' }));
    const same = await ok(h.envelope('scp.diff', t, { backupId, against: again.backupId }));
    expect(same.diff).toEqual({ components: [], total: 0, truncated: false });

    // A replayed command gets its recorded result; a new restore of a host that matches imports nothing.
    await h.send(env);
    await h.waitFor('the re-sent result', () => (h.results(env.id).length >= 2 ? true : undefined));
    const fresh = await ok(h.envelope('scp.import', t, { backupId, shutdownType: 'Forced' }));
    expect(fresh).toMatchObject({ alreadyApplied: true, changes: 0, verified: true });
    expect(imports()).toBe(1);
  });

  it('refuses a backup of another model with a clear error, sending nothing to the iDRAC', async () => {
    const model = host().model;
    host().model = 'PowerEdge R7625';
    try {
      const r = await run(h.envelope('scp.import', t, { backupId }));
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('scp_model_mismatch');
      expect(r.error?.message).toContain(`taken from a ${model}; TEST001 is a PowerEdge R7625`);
      expect(imports()).toBe(1);
    } finally {
      host().model = model;
    }
  });

  it('refuses a backup whose file changed, and ids that are not backup ids', async () => {
    const original = readFileSync(file);
    writeFileSync(file, Buffer.concat([original, Buffer.from(' ')]));
    try {
      const r = await run(h.envelope('scp.import', t, { backupId }));
      expect(r.error?.code).toBe('backup_corrupt');
      expect(r.error?.message).toMatch(/does not match the recorded SHA-256/);
    } finally {
      writeFileSync(file, original);
    }
    const bad = await h.send(h.envelope('scp.diff', t, { backupId: '../../etc/passwd' }));
    const rejected = await h.waitFor('the rejection', () =>
      h.messages.find((m) => m.type === 'rejected' && m.commandId === bad.id),
    );
    expect(rejected).toMatchObject({
      reason: 'malformed',
      detail: expect.stringMatching(/backupId.*backup id/),
    });
    const missing = await run(h.envelope('scp.diff', t, { backupId: 'TEST001-nope' }));
    expect(missing.error?.code).toBe('not_found');
    expect(imports()).toBe(1);
  });
});
