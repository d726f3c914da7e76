import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { BackupId, BackupRecord, sortBackups } from '@rackops/core/scp/backup-record';
import { RackOpsError } from '@rackops/core/util/errors';
import { fileInside } from '../fs/file-inside';

const RECORD = '.record.json';

/** A backup whose content no longer matches its record (changed, truncated or missing): never imported. */
export class BackupIntegrityError extends RackOpsError {
  constructor(id: string, why: string) {
    super('backup_corrupt', `backup ${id}: ${why}; it is not used`);
  }
}

export interface StoredBackup {
  record: BackupRecord;
  content: Buffer;
}

/**
 * SCP backups in one folder of the agent's data dir: `<id>.record.json` and `<id>.json|xml` per backup. Ids are
 * validated tokens (BackupId) and every file name goes through fileInside, so nothing a device or the cloud
 * sends becomes a path. Content is written before its record, each by rename, so a listed backup is complete.
 */
export class BackupStore {
  constructor(readonly dir: string) {}

  private contentFile(r: Pick<BackupRecord, 'id' | 'format'>): string {
    return fileInside(this.dir, `${BackupId.parse(r.id)}.${r.format === 'JSON' ? 'json' : 'xml'}`);
  }

  private recordFile(id: string): string {
    return fileInside(this.dir, `${BackupId.parse(id)}${RECORD}`);
  }

  private async writeAtomic(file: string, data: string | Buffer): Promise<void> {
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, data, { mode: 0o600 });
    await rename(tmp, file);
  }

  /** Stores `content` under the record's id; `bytes` and `sha256` are computed here, not trusted. */
  async save(
    record: Omit<BackupRecord, 'bytes' | 'sha256' | 'location'>,
    content: Buffer,
    location: (file: string) => string,
  ): Promise<BackupRecord & { file: string }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.contentFile(record);
    const full = BackupRecord.parse({
      ...record,
      bytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      location: location(file),
    });
    await this.writeAtomic(file, content);
    await this.writeAtomic(this.recordFile(full.id), JSON.stringify(full, null, 2));
    return { ...full, file };
  }

  /** The host's backups, newest first; unreadable records are skipped (reported through `onSkip`). */
  async list(hostId: string, onSkip?: (name: string, why: string) => void): Promise<BackupRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: BackupRecord[] = [];
    for (const name of names) {
      if (!name.endsWith(RECORD) || !name.startsWith(`${hostId}-`)) continue;
      const id = name.slice(0, -RECORD.length);
      try {
        const r = await this.record(id);
        if (r.hostId === hostId) out.push(r);
      } catch (e) {
        onSkip?.(name, e instanceof Error ? e.message : String(e));
      }
    }
    return sortBackups(out);
  }

  async record(id: string): Promise<BackupRecord> {
    if (!BackupId.safeParse(id).success)
      throw new RackOpsError('validation', `"${id.slice(0, 100)}" is not a backup id`);
    let text: string;
    try {
      text = await readFile(this.recordFile(id), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new RackOpsError('not_found', `backup ${id} is not on this agent`);
      throw e;
    }
    const r = BackupRecord.safeParse(JSON.parse(text));
    if (!r.success || r.data.id !== id) throw new BackupIntegrityError(id, 'its record is not valid');
    return r.data;
  }

  /** The record and its content, the content checked against the record's size and SHA-256. */
  async read(id: string): Promise<StoredBackup> {
    const record = await this.record(id);
    let content: Buffer;
    try {
      content = await readFile(this.contentFile(record));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new BackupIntegrityError(id, 'its profile file is missing');
      throw e;
    }
    const sha = createHash('sha256').update(content).digest('hex');
    if (content.length !== record.bytes || sha !== record.sha256)
      throw new BackupIntegrityError(
        id,
        `its profile does not match the recorded SHA-256 (${record.sha256.slice(0, 12)}…)`,
      );
    return { record, content };
  }
}
