import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

/** The key prefix the relay agents write SCP backups under: their grant covers it and nothing else. */
export const BACKUP_PREFIX = 'scp/';

export interface BackupBucketProps {
  /** Encrypts every backup (SSE-KMS, bucket key on): only principals allowed to use it through S3 can read. */
  readonly encryptionKey: IKey;
  /** How long a backup stays current before it expires (becomes a noncurrent version). */
  readonly retention: Duration;
  /** How long an overwritten or expired version is kept before it is deleted for good. */
  readonly noncurrentRetention: Duration;
}

/**
 * SCP backups off the relay agents' disks (relay-agent/README.md "SCP backups"). Versioned, so an overwrite or
 * a delete keeps the previous profile for `noncurrentRetention`; encrypted with a customer key; TLS only; no
 * public access and no ACLs; retained when the stack goes. Server access logs go to a bucket of their own.
 */
export class BackupBucket extends Construct {
  readonly bucket: IBucket;
  readonly accessLogs: IBucket;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    // Server access logs cannot be SSE-KMS encrypted (the log delivery service writes them with SSE-S3).
    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: props.retention }],
    });
    acknowledgeNag(
      logs,
      'AwsSolutions-S1',
      'This is the server access log bucket of the backup bucket; logging its own accesses would log the log delivery itself.',
    );
    this.accessLogs = logs;

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'backups/',
      lifecycleRules: [
        {
          id: 'BackupRetention',
          expiration: props.retention,
          noncurrentVersionExpiration: props.noncurrentRetention,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
    });
  }
}
