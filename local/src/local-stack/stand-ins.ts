import type { QueueStats } from '@rackops/core/ports/queue-stats.port';
import type { Clock } from '@rackops/core/ports/clock.port';
import { type Lab, startLab } from '@rackops/lab/index';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { type AwsClients, createAwsClients } from '@rackops/lambdas/composition/clients';
import { createSqsQueueStats } from '@rackops/lambdas/adapters/sqs-queue-stats';
import { createBackupBucket, type LocalBackups } from '../backup-bucket';
import { externalDynamo, type RunningDynalite, startDynalite } from '../dynalite';
import type { AwsMeter } from '../metering/aws-meter';
import { type RelayQueues, createRelayQueues } from '../relay-queues';
import { type SqsEmulator, startSqsEmulator } from '../sqs-emulator';
import type { StartedParts } from './parts';

export interface StandInsOptions {
  /** Where dynalite keeps its tables; none keeps them in memory. */
  dynamoPath?: string;
  /** An external DynamoDB endpoint (not started or stopped here); none starts dynalite in this process. */
  dynamoEndpoint?: string;
  timeScale: number;
  seed?: number;
  lab?: boolean | LabConfigInput;
  meter?: AwsMeter;
  clock: Clock;
}

/** What stands in for AWS and the datacenter, with the SDK clients pointed at it. */
export interface StandIns {
  dynalite: RunningDynalite;
  sqs: SqsEmulator;
  clients: AwsClients;
  relayQueues: RelayQueues;
  /** The backup bucket in fauxqs, as the relay agent's `backups` config (the same S3 code path as AWS). */
  backups: LocalBackups;
  queueStats: QueueStats;
  lab?: Lab;
  /** The engine's Step Functions API starts after the functions it runs are wired: its endpoint comes last. */
  setSfnEndpoint(endpoint: string): void;
}

/** dynalite for DynamoDB, fauxqs for SQS with the relay queues and S3 with the backup bucket, and the lab when asked for. */
export async function startStandIns(o: StandInsOptions, parts: StartedParts): Promise<StandIns> {
  const dynalite = o.dynamoEndpoint
    ? externalDynamo(o.dynamoEndpoint)
    : await startDynalite(o.dynamoPath ? { path: o.dynamoPath } : {});
  parts.add(() => dynalite.close());
  const sqs = await startSqsEmulator();
  parts.add(() => sqs.close());
  // Set once the engine's Step Functions API listens; no handler runs before then.
  let sfnEndpoint: string | undefined;

  // One wiring with AWS (DESIGN §1): the same clients, platform and function factories as the Lambda
  // entries; only the endpoints and the seams differ.
  const clients = createAwsClients({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    services: {
      dynamodb: { endpoint: dynalite.endpoint, maxAttempts: 5 },
      sqs: { endpoint: sqs.endpoint },
      sfn: {
        endpoint: () => {
          if (!sfnEndpoint) throw new Error('the local Step Functions API is not started yet');
          return sfnEndpoint;
        },
      },
    },
  });
  parts.add(async () => clients.destroy());
  o.meter?.attach(clients.dynamodb);
  o.meter?.attach(clients.sqs);
  const relayQueues = await createRelayQueues(clients.sqs);
  const backups = await createBackupBucket(sqs.endpoint);
  const queueStats = createSqsQueueStats({
    client: clients.sqs,
    queues: relayQueues.watched,
    now: () => o.clock.now(),
  });

  let lab: Lab | undefined;
  if (o.lab) {
    const labConfig = typeof o.lab === 'object' ? o.lab : undefined;
    const started = await startLab(labConfig, {
      timeScale: o.timeScale,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    });
    lab = started;
    parts.add(() => started.stop());
  }

  return {
    dynalite,
    sqs,
    clients,
    relayQueues,
    backups,
    queueStats,
    ...(lab ? { lab } : {}),
    setSfnEndpoint: (endpoint) => {
      sfnEndpoint = endpoint;
    },
  };
}
