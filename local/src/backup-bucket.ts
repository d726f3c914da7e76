import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { AgentConfigInput } from '@rackops/relay-agent/config/config.schema';

/** The local stand-in for the stateful stack's backup bucket, in fauxqs (which emulates S3 as well as SQS). */
export const LOCAL_BACKUPS_BUCKET = 'rackops-backups';

/** What the relay agent's `backups` config is locally: the S3 store, as in AWS, on the emulator's endpoint. */
export type LocalBackups = Extract<NonNullable<AgentConfigInput['backups']>, { kind: 's3' }>;

/**
 * Creates the backup bucket on the emulator and returns the agents' `backups` config. Path-style URLs: the
 * emulator listens on 127.0.0.1, where `<bucket>.127.0.0.1` would not resolve. fauxqs keeps objects in memory,
 * like the lab whose hosts they back up: a backup lives as long as the lab it was taken from.
 */
export async function createBackupBucket(endpoint: string): Promise<LocalBackups> {
  const s3 = localS3(endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_BACKUPS_BUCKET }));
  } finally {
    s3.destroy();
  }
  return {
    kind: 's3',
    bucket: LOCAL_BACKUPS_BUCKET,
    prefix: 'scp/',
    region: 'us-east-1',
    endpoint,
    pathStyle: true,
  };
}

const localS3 = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** The keys in the backup bucket under `<prefix><host>/` (what a scenario checks: the backup left the agent). */
export async function backupKeys(backups: LocalBackups, hostId: string): Promise<string[]> {
  if (!backups.endpoint) throw new Error('the local backup bucket has no endpoint');
  const s3 = localS3(backups.endpoint);
  try {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: backups.bucket, Prefix: `${backups.prefix ?? 'scp/'}${hostId}/` }),
    );
    return (out.Contents ?? []).map((o) => o.Key ?? '');
  } finally {
    s3.destroy();
  }
}
