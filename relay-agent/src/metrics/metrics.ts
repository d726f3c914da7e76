import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The agent's Prometheus metrics, in their own registry (tests create several agents). */
export function createMetrics() {
  const registry = new Registry();
  const commands = new Counter({
    name: 'rackops_relay_commands_total',
    help: 'Commands handled, by kind and outcome (ok, failed, rejected_<reason>, duplicate, resent)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rackops_relay_command_duration_seconds',
    help: 'Command execution time by kind',
    labelNames: ['kind'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600],
    registers: [registry],
  });
  const queueLag = new Histogram({
    name: 'rackops_relay_queue_lag_seconds',
    help: 'Time from SQS send to receipt by the agent',
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'rackops_relay_in_flight_commands',
    help: 'Commands executing now',
    registers: [registry],
  });
  const vcenterRelogins = new Counter({
    name: 'rackops_relay_vcenter_relogins_total',
    help: 'vCenter sessions renewed after vCenter answered NotAuthenticated (expired or ended sessions)',
    labelNames: ['vcenter'] as const,
    registers: [registry],
  });
  return { registry, commands, duration, queueLag, inFlight, vcenterRelogins };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** Serves /metrics on 127.0.0.1 only: the agent opens no port reachable from the network. */
export async function serveMetrics(
  metrics: Metrics,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
