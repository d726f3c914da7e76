import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { BackupId, BackupRecord, sortBackups } from '@rackops/core/scp/backup-record';
import { RackOpsError } from '@rackops/core/util/errors';
import { fileInside } from '../fs/file-inside';
import {
  BackupIntegrityError,
  type BackupStore,
  checkContent,
  checkedBackupId,
  type NewBackup,
  type StoredBackup,
  sha256Hex,
} from './backup-store';

const RECORD = '.record.json';

/**
 * SCP backups in one folder of the agent's data dir: `<id>.record.json` and `<id>.json|xml` per backup. Ids are
 * validated tokens (BackupId) and every file name goes through fileInside, so nothing a device or the cloud
 * sends becomes a path. Content is written before its record, each by rename, so a listed backup is complete.
 */
export class FolderBackupStore implements BackupStore {
  /** `agentId` names this agent in the records' location: the folder is only on its machine. */
  constructor(
    readonly dir: string,
    private readonly agentId: string,
  ) {}

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

  async save(record: NewBackup, content: Buffer): Promise<BackupRecord & { file: string }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.contentFile(record);
    const full = BackupRecord.parse({
      ...record,
      bytes: content.length,
      sha256: sha256Hex(content),
      location: `relay agent ${this.agentId}: ${file}`,
    });
    await this.writeAtomic(file, content);
    await this.writeAtomic(this.recordFile(full.id), JSON.stringify(full, null, 2));
    return { ...full, file };
  }

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
    checkedBackupId(id);
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
    checkContent(record, content);
    return { record, content };
  }
}
