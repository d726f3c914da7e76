import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { AgentConfig } from '../config/config.schema';
import type { BackupStore } from './backup-store';
import { FolderBackupStore } from './folder-backup-store';
import { S3BackupStore } from './s3-backup-store';

export interface BuiltBackupStore {
  store: BackupStore;
  /** The S3 client, when there is one: closed with the agent, and counted by the local cost meter. */
  s3?: S3Client;
}

/** The store the config names; without `backups`, the folder `scp` next to the ledger (as before S3). */
export function buildBackupStore(
  config: AgentConfig,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): BuiltBackupStore {
  const b = config.backups ?? { kind: 'folder', dir: join(dirname(config.ledgerPath), 'scp') };
  if (b.kind === 'folder') return { store: new FolderBackupStore(b.dir, config.agentId) };
  const s3 = new S3Client({
    region: b.region,
    ...(b.endpoint ? { endpoint: b.endpoint } : {}),
    ...(b.pathStyle ? { forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
  });
  return { store: new S3BackupStore(s3, b.bucket, b.prefix), s3 };
}
