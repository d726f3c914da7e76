import type { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { ResultSink } from '@rackops/core/ports/command-queue.port';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import type { Logger } from 'pino';
import { createAgent } from './agent';
import { createHandlers } from './commands/registry';
import type { AgentConfig } from './config/config.schema';
import { buildDevices } from './devices/build-devices';
import { createPackageFetcher } from './devices/package-fetcher';
import { Ledger } from './ledger/ledger';
import { createMetrics, type Metrics } from './metrics/metrics';
import { createOutbound } from './net/outbound';
import { createSqsResultSink } from './queue/sqs-result-sink';
import { buildBackupStore } from './scp/build-backup-store';
import { buildZfsAppliances } from './zfs/build-zfs';

export interface BuildAgentOptions {
  config: AgentConfig;
  /** A function when they can change (SIGHUP, or a rotation test). */
  keys: KeyMaterial | (() => KeyMaterial);
  log: Logger;
  metrics?: Metrics;
  clock?: Clock;
  /** SQS and S3 credentials; absent, the SDK's default chain (the on-prem agent's IAM role or profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Told of the SQS client once made (the local cost meter counts its calls). */
  onSqsClient?: (sqs: SQSClient) => void;
  /** Told of the S3 client of the backup store, when it has one (the local cost meter counts its calls). */
  onS3Client?: (s3: S3Client) => void;
  /** Wraps the results queue (the local stack's crash simulation drops everything after a kill). */
  wrapSink?: (sink: ResultSink) => ResultSink;
  onVcenterRelogin?: (vcenter: string) => void;
}

export interface BuiltAgent {
  readonly agent: ReturnType<typeof createAgent>;
  readonly metrics: Metrics;
  /** Stop consuming (in-flight commands get `graceMs`), then close the device sessions, ledger and client. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The relay agent's one wiring: the on-prem process (main.ts) and the local stack's in-process agent both build
 * it here from a parsed config, differing only in the options above.
 */
export function buildAgent(o: BuildAgentOptions): BuiltAgent {
  const { config } = o;
  const metrics = o.metrics ?? createMetrics();
  const sqs = new SQSClient({
    region: config.queues.region,
    ...(config.queues.endpoint ? { endpoint: config.queues.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  o.onSqsClient?.(sqs);
  const ledger = new Ledger(config.ledgerPath);
  const devices = buildDevices(config, {
    onVcenterRelogin: (vcenter) => {
      metrics.vcenterRelogins.inc({ vcenter });
      o.onVcenterRelogin?.(vcenter);
    },
  });
  const backups = buildBackupStore(config, o.credentials);
  if (backups.s3) o.onS3Client?.(backups.s3);
  const handlers = createHandlers({
    devices,
    fetchPackage: createPackageFetcher(config.repository.tls, 600_000),
    outbound: createOutbound(config),
    backups: backups.store,
    zfs: buildZfsAppliances(config),
  });
  const sink = createSqsResultSink(sqs, config.queues.resultsUrl);
  const agent = createAgent({
    config,
    keys: o.keys,
    sqs,
    sink: o.wrapSink ? o.wrapSink(sink) : sink,
    ledger,
    devices,
    handlers,
    clock: o.clock ?? systemClock,
    log: o.log,
    metrics,
  });
  return {
    agent,
    metrics,
    async stop(graceMs) {
      await agent.stop(graceMs);
      await devices.close();
      ledger.close();
      sqs.destroy();
      backups.s3?.destroy();
    },
  };
}
