import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import type { ResultSink } from '@rackops/core/ports/command-queue.port';
import type { Logger } from 'pino';
import type { HandlerRegistry } from './commands/command-context';
import type { AgentConfig } from './config/config.schema';
import type { DeviceRegistry } from './devices/device-registry';
import type { Ledger } from './ledger/ledger';
import type { Metrics } from './metrics/metrics';
import { createCommandProcessor } from './protocol/command-processor';
import { startHeartbeat } from './queue/heartbeat';
import { QueueConsumer } from './queue/queue-consumer';

export interface AgentDeps {
  readonly config: AgentConfig;
  /** The agent's keys: verify commands, sign everything it sends. A function when they can change (SIGHUP). */
  readonly keys: KeyMaterial | (() => KeyMaterial);
  readonly sqs: SQSClient;
  readonly sink: ResultSink;
  readonly ledger: Ledger;
  readonly devices: DeviceRegistry;
  readonly handlers: HandlerRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
}

/** The relay agent: queue consumer + command processor + heartbeat, all given their clients. */
export function createAgent(d: AgentDeps) {
  const keys = (): KeyMaterial => (typeof d.keys === 'function' ? d.keys() : d.keys);
  // Every message leaves signed with the active key: results, progress, rejections, heartbeats.
  const sink: ResultSink = { send: (message) => d.sink.send(signRelayMessage(message, keys())) };
  const processor = createCommandProcessor({
    keys,
    maxBodyBytes: d.config.maxBodyBytes,
    limits: {
      clockSkewSeconds: d.config.clockSkewSeconds,
      maxLifetimeSeconds: d.config.maxCommandLifetimeSeconds,
    },
    ledger: d.ledger,
    sink,
    devices: d.devices,
    handlers: d.handlers,
    clock: d.clock,
    log: d.log,
    metrics: d.metrics,
    progressSeconds: d.config.progressSeconds,
    progressMinGapMs: d.config.progressMinGapMs,
    pollIntervalMs: d.config.pollIntervalMs,
  });
  const consumer = new QueueConsumer({
    sqs: d.sqs,
    queueUrl: d.config.queues.commandsUrl,
    waitTimeSeconds: d.config.queues.waitTimeSeconds,
    visibilityTimeoutSeconds: d.config.queues.visibilityTimeoutSeconds,
    maxConcurrency: d.config.concurrency.max,
    perTarget: d.config.concurrency.perTarget,
    log: d.log,
    metrics: d.metrics,
    handle: processor.handle,
  });
  let heartbeat: { stop(): void } | undefined;
  let pruner: NodeJS.Timeout | undefined;

  return {
    start(): void {
      d.log.info({ agentId: d.config.agentId }, 'relay agent starting');
      const prune = () => d.ledger.prune(new Date(d.clock.now().getTime() - 24 * 3600_000));
      prune();
      pruner = setInterval(prune, 3600_000);
      pruner.unref();
      heartbeat = startHeartbeat({
        agentId: d.config.agentId,
        seconds: d.config.heartbeatSeconds,
        sink,
        clock: d.clock,
        log: d.log,
        inFlight: processor.inFlight,
      });
      consumer.start();
    },
    /** Graceful: stop taking work, let in-flight commands finish within the grace period, else return them. */
    async stop(graceMs = d.config.shutdownGraceSeconds * 1000): Promise<void> {
      d.log.info({ inFlight: consumer.inFlightCount, graceMs }, 'relay agent stopping');
      heartbeat?.stop();
      if (pruner) clearInterval(pruner);
      await consumer.stop(graceMs);
      d.log.info('relay agent stopped');
    },
    inFlight: processor.inFlight,
  };
}
export type Agent = ReturnType<typeof createAgent>;
