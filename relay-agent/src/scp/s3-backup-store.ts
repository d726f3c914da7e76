import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BackupHostId, BackupRecord, sortBackups } from '@rackops/core/scp/backup-record';
import { RackOpsError } from '@rackops/core/util/errors';
import {
  BackupIntegrityError,
  type BackupStore,
  checkContent,
  checkedBackupId,
  hostOfBackupId,
  type NewBackup,
  type StoredBackup,
  sha256Hex,
} from './backup-store';

const RECORD = '.record.json';
/** SCP profiles are a few MB at most; anything far larger is not one of ours and is not read into memory. */
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;
/** Folder-like segments of letters, digits, `.`, `_`, `-`, each ending in `/`: the agent's grant is this prefix. */
export const S3_PREFIX = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,62}\/){1,4}$/;

/**
 * SCP backups in an S3 bucket, under `<prefix><host>/<id>.json|xml` with `<id>.record.json` next to it. Keys are
 * built only from the configured prefix (checked at start) and validated host and backup ids, so nothing a
 * device returns becomes a key unchecked. The content object carries its SHA-256 and size as metadata; a read
 * checks the content against both the metadata and the record, so an object changed in the bucket is refused.
 * Content is put before its record: a listed backup is complete. Encryption is the bucket's (SSE-KMS).
 */
export class S3BackupStore implements BackupStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly prefix: string,
  ) {
    if (!S3_PREFIX.test(prefix) || prefix.includes('..'))
      throw new Error(
        `backups.prefix ${JSON.stringify(prefix.slice(0, 80))} is not a key prefix like "scp/"`,
      );
  }

  private hostPrefix(hostId: string): string {
    return `${this.prefix}${BackupHostId.parse(hostId)}/`;
  }

  private contentKey(r: Pick<BackupRecord, 'id' | 'format'>): string {
    return `${this.hostPrefix(hostOfBackupId(r.id))}${r.id}.${r.format === 'JSON' ? 'json' : 'xml'}`;
  }

  private recordKey(id: string): string {
    return `${this.hostPrefix(hostOfBackupId(id))}${id}${RECORD}`;
  }

  async save(record: NewBackup, content: Buffer): Promise<BackupRecord & { file: string }> {
    if (hostOfBackupId(record.id) !== record.hostId)
      throw new RackOpsError('validation', `backup ${record.id} is not named after host ${record.hostId}`);
    const key = this.contentKey(record);
    const file = `s3://${this.bucket}/${key}`;
    const full = BackupRecord.parse({
      ...record,
      bytes: content.length,
      sha256: sha256Hex(content),
      location: file,
    });
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: content,
        ContentType: record.format === 'JSON' ? 'application/json' : 'application/xml',
        Metadata: { sha256: full.sha256, bytes: String(full.bytes) },
      }),
    );
    const text = JSON.stringify(full, null, 2);
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.recordKey(full.id),
        Body: text,
        ContentType: 'application/json',
        Metadata: { sha256: sha256Hex(text) },
      }),
    );
    return { ...full, file };
  }

  async list(hostId: string, onSkip?: (name: string, why: string) => void): Promise<BackupRecord[]> {
    const prefix = this.hostPrefix(hostId);
    const out: BackupRecord[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        const name = o.Key?.slice(prefix.length) ?? '';
        if (!name.endsWith(RECORD) || !name.startsWith(`${hostId}-`)) continue;
        try {
          const r = await this.record(name.slice(0, -RECORD.length));
          if (r.hostId === hostId) out.push(r);
        } catch (e) {
          onSkip?.(name, e instanceof Error ? e.message : String(e));
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return sortBackups(out);
  }

  async record(id: string): Promise<BackupRecord> {
    checkedBackupId(id);
    const got = await this.get(this.recordKey(id), id, 'not_found');
    const meta = got.metadata.sha256;
    if (meta !== undefined && meta !== sha256Hex(got.body))
      throw new BackupIntegrityError(id, 'its record was changed in the bucket');
    let parsed: unknown;
    try {
      parsed = JSON.parse(got.body.toString('utf8'));
    } catch {
      throw new BackupIntegrityError(id, 'its record is not valid');
    }
    const r = BackupRecord.safeParse(parsed);
    if (!r.success || r.data.id !== id) throw new BackupIntegrityError(id, 'its record is not valid');
    return r.data;
  }

  async read(id: string): Promise<StoredBackup> {
    const record = await this.record(id);
    const got = await this.get(this.contentKey(record), id, 'corrupt');
    if (got.metadata.sha256 !== record.sha256 || got.metadata.bytes !== String(record.bytes))
      throw new BackupIntegrityError(id, 'its profile object does not carry the recorded SHA-256 and size');
    checkContent(record, got.body);
    return { record, content: got.body };
  }

  /** One object's bytes and metadata; a missing object is `not_found` (a record) or corrupt (a profile). */
  private async get(
    key: string,
    id: string,
    missing: 'not_found' | 'corrupt',
  ): Promise<{ body: Buffer; metadata: Record<string, string> }> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if ((res.ContentLength ?? 0) > MAX_OBJECT_BYTES)
        throw new BackupIntegrityError(id, `it is larger than ${MAX_OBJECT_BYTES} bytes`);
      const bytes = await res.Body?.transformToByteArray();
      return { body: Buffer.from(bytes ?? []), metadata: res.Metadata ?? {} };
    } catch (e) {
      if ((e as { name?: string }).name !== 'NoSuchKey') throw e;
      if (missing === 'not_found')
        throw new RackOpsError('not_found', `backup ${id} is not in the backup bucket`);
      throw new BackupIntegrityError(id, 'its profile object is missing');
    }
  }
}
