import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type SqsEmulator, startSqsEmulator } from '@rackops/local/sqs-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewBackup } from '../src/scp/backup-store';
import { S3BackupStore } from '../src/scp/s3-backup-store';
import { RelayHarness, TEST_CREDENTIALS } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

const BUCKET = 'rackops-backups-test';

const newBackup = (id: string, hostId = 'HOST001'): NewBackup => ({
  id,
  hostId,
  takenAt: '2026-12-06T10:00:00.000Z',
  format: 'JSON',
  model: 'PowerEdge R650',
  firmware: { BIOS: '1.2.3' },
  by: 'alice',
  reason: 'test',
  jobId: 'JID_1',
});

const client = (endpoint: string) =>
  new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: TEST_CREDENTIALS });

describe('S3 backup store against fauxqs S3 (the local stack’s emulator)', () => {
  let emu: SqsEmulator;
  let s3: S3Client;
  let store: S3BackupStore;
  const keys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key ?? '');

  beforeAll(async () => {
    emu = await startSqsEmulator();
    s3 = client(emu.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    store = new S3BackupStore(s3, BUCKET, 'scp/');
  });
  afterAll(async () => {
    s3?.destroy();
    await emu?.close();
  });

  it('puts a backup under prefix/host/id with its SHA-256 and size as metadata, lists and reads it', async () => {
    const content = Buffer.from('{"SystemConfiguration":{"Components":[]}}');
    const saved = await store.save(newBackup('HOST001-20261206T100000Z-JID1'), content);
    expect(saved.file).toBe(`s3://${BUCKET}/scp/HOST001/HOST001-20261206T100000Z-JID1.json`);
    expect(saved.location).toBe(saved.file);
    expect(await keys()).toEqual([
      'scp/HOST001/HOST001-20261206T100000Z-JID1.json',
      'scp/HOST001/HOST001-20261206T100000Z-JID1.record.json',
    ]);
    const obj = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'scp/HOST001/HOST001-20261206T100000Z-JID1.json' }),
    );
    expect(obj.Metadata).toEqual({ sha256: saved.sha256, bytes: String(content.length) });

    await store.save(
      { ...newBackup('HOST001-20261206T110000Z-JID2'), takenAt: '2026-12-06T11:00:00.000Z' },
      Buffer.from('{}'),
    );
    await store.save(newBackup('HOST002-20261206T100000Z-JID3', 'HOST002'), Buffer.from('{}'));
    const listed = await store.list('HOST001');
    expect(listed.map((r) => r.id)).toEqual([
      'HOST001-20261206T110000Z-JID2',
      'HOST001-20261206T100000Z-JID1',
    ]);
    expect(listed[1]).toMatchObject({
      bytes: content.length,
      sha256: saved.sha256,
      by: 'alice',
      model: 'PowerEdge R650',
    });
    const read = await store.read('HOST001-20261206T100000Z-JID1');
    expect(read.content.equals(content)).toBe(true);
  });

  it('refuses a profile changed in the bucket, whether or not its metadata was changed with it', async () => {
    const id = 'HOST001-20261206T100000Z-JID1';
    const key = `scp/HOST001/${id}.json`;
    const before = await store.read(id);
    const forged = Buffer.from('{"SystemConfiguration":{"Components":[{"FQDD":"evil"}]}}');
    // Same metadata, other bytes.
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: forged,
        Metadata: { sha256: before.record.sha256, bytes: String(before.record.bytes) },
      }),
    );
    await expect(store.read(id)).rejects.toMatchObject({
      code: 'backup_corrupt',
      message: expect.stringMatching(/does not match the recorded SHA-256/),
    });
    // Metadata made to match the forged bytes: the record still disagrees.
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(forged).digest('hex');
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: forged,
        Metadata: { sha256: sha, bytes: String(forged.length) },
      }),
    );
    await expect(store.read(id)).rejects.toMatchObject({ code: 'backup_corrupt' });
    // No metadata at all.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: before.content }));
    await expect(store.read(id)).rejects.toMatchObject({
      code: 'backup_corrupt',
      message: expect.stringMatching(/does not carry/),
    });
    // A record edited in place (its own SHA-256 metadata kept) is refused too, and skipped when listing.
    const recordKey = `scp/HOST001/${id}.record.json`;
    const rec = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: recordKey }));
    const text = (await rec.Body?.transformToString()) ?? '';
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: recordKey,
        Body: text.replace('alice', 'mallory'),
        Metadata: rec.Metadata,
      }),
    );
    await expect(store.record(id)).rejects.toMatchObject({
      code: 'backup_corrupt',
      message: expect.stringMatching(/record was changed/),
    });
    const skipped: string[] = [];
    expect((await store.list('HOST001', (name) => skipped.push(name))).map((r) => r.id)).toEqual([
      'HOST001-20261206T110000Z-JID2',
    ]);
    expect(skipped).toEqual([`${id}.record.json`]);
    // Put back as it was: read again.
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: recordKey, Body: text, Metadata: rec.Metadata }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: before.content,
        Metadata: { sha256: before.record.sha256, bytes: String(before.record.bytes) },
      }),
    );
    expect((await store.read(id)).content.equals(before.content)).toBe(true);
  });

  it('keeps every key under its prefix: ids are checked, prefixes are validated, other prefixes unseen', async () => {
    for (const bad of ['../HOST001-x', 'HOST001/../../x', 'a b', '']) {
      await expect(store.read(bad)).rejects.toMatchObject({ code: 'validation' });
    }
    // A backup must be named after its own host (the key is built from the id).
    await expect(
      store.save(newBackup('HOST002-20261206T100000Z-JID9'), Buffer.from('{}')),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(store.save(newBackup('HOST001-x'), Buffer.from('{}'))).resolves.toMatchObject({
      id: 'HOST001-x',
    });
    await expect(store.list('../HOST001')).rejects.toThrow();
    for (const prefix of ['', '/scp/', 'scp', '../scp/', 'a/../b/', 'scp//']) {
      expect(() => new S3BackupStore(s3, BUCKET, prefix), prefix).toThrow(/key prefix/);
    }
    expect((await keys()).every((k) => k.startsWith('scp/'))).toBe(true);
    const other = new S3BackupStore(s3, BUCKET, 'site-b/scp/');
    expect(await other.list('HOST001')).toEqual([]);
    await expect(other.read('HOST001-20261206T100000Z-JID1')).rejects.toMatchObject({ code: 'not_found' });
    // A content object deleted or never written: the record alone is not a usable backup.
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'scp/HOST003/HOST003-x.record.json',
        Body: JSON.stringify({
          ...newBackup('HOST003-x', 'HOST003'),
          bytes: 2,
          sha256: 'a'.repeat(64),
          location: 'x',
        }),
      }),
    );
    await expect(store.read('HOST003-x')).rejects.toMatchObject({
      code: 'backup_corrupt',
      message: expect.stringMatching(/missing/),
    });
  });
});

describe('scp export → backups → diff → restore with the agent’s backups in S3', () => {
  let h: RelayHarness;
  let s3: S3Client;
  const t = { type: 'idrac' as const, id: 'TEST001' };
  beforeAll(async () => {
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
      inProcess: false,
      agent: (cfg) => ({
        ...cfg,
        backups: {
          kind: 's3',
          bucket: BUCKET,
          prefix: 'relay/scp/',
          region: 'us-east-1',
          endpoint: cfg.queues.endpoint,
          pathStyle: true,
        },
      }),
    });
    s3 = client(h.emu.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    h.startAgent();
  });
  afterAll(async () => {
    s3?.destroy();
    await h?.stop();
  });
  const ok = async (env: ReturnType<RelayHarness['envelope']>) => {
    await h.send(env);
    const r = await h.waitForResult(env.id, 30_000);
    expect(r.ok, `${env.kind}: ${JSON.stringify(r.error)}`).toBe(true);
    return r.output as Record<string, unknown>;
  };

  it('stores the export in the bucket, lists it, and restores changed attributes from it', async () => {
    const out = await ok(h.envelope('scp.export', t, { format: 'JSON', by: 'alice' }));
    const backupId = out.backupId as string;
    expect(out.file).toBe(`s3://${BUCKET}/relay/scp/TEST001/${backupId}.json`);
    const list = await ok(h.envelope('scp.backups', t, {}));
    expect(list).toMatchObject({
      total: 1,
      backups: [{ id: backupId, location: out.file, sha256: out.sha256 }],
    });

    // Change one attribute the backup holds (read from the bucket, as the agent stored it).
    const key = `relay/scp/TEST001/${backupId}.json`;
    const obj = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const profile = JSON.parse((await obj.Body?.transformToString()) ?? '{}') as {
      SystemConfiguration: { Components: Array<{ FQDD: string; Attributes: Array<{ Name: string }> }> };
    };
    const bios = profile.SystemConfiguration.Components.find((c) => c.FQDD === 'BIOS.Setup.1-1');
    const name = bios?.Attributes[0]?.Name;
    if (!name) throw new Error('the backup has no BIOS attribute');
    h.lab.world.host('TEST001').scpAttributes.set('BIOS.Setup.1-1', new Map([[name, 'Changed-By-Hand']]));
    const diff = await ok(h.envelope('scp.diff', t, { backupId }));
    expect(diff).toMatchObject({ diff: { total: 1 } });
    const restored = await ok(h.envelope('scp.import', t, { backupId, shutdownType: 'Forced' }));
    expect(restored).toMatchObject({ alreadyApplied: false, changes: 1, verified: true });
  });
});
