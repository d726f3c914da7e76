#!/usr/bin/env -S npx tsx
import { buildAgent } from './build-agent';
import { ConfigError, loadConfigFile } from './config/load-config';
import { resolveSigningKeys } from './config/signing-keys';
import { createLogger } from './log/logger';
import { createMetrics, serveMetrics } from './metrics/metrics';

/**
 * rackops-relay — wires real clients from the config file and runs until SIGTERM/SIGINT.
 * Usage: rackops-relay [--config /etc/rackops-relay/config.json]  (or RACKOPS_RELAY_CONFIG)
 */
async function main(): Promise<void> {
  const argIdx = process.argv.indexOf('--config');
  const path =
    (argIdx >= 0 ? process.argv[argIdx + 1] : undefined) ??
    process.env.RACKOPS_RELAY_CONFIG ??
    '/etc/rackops-relay/config.json';
  const config = loadConfigFile(path);
  const log = createLogger(config.logLevel);
  let keys = resolveSigningKeys(config);
  // An agent upgraded from before the outbound URL policy has no repository hosts: say so at start, not at the
  // first firmware update of a maintenance night.
  if (config.repository.hosts.length === 0) {
    log.warn(
      'repository.hosts is empty: every firmware.stage will be refused (url_refused); list the firmware repository host names',
    );
  }
  const metrics = createMetrics();
  const metricsServer =
    config.metrics.port === null ? undefined : await serveMetrics(metrics, config.metrics.port);
  if (metricsServer) log.info({ port: metricsServer.port }, 'metrics on 127.0.0.1/metrics');
  const { agent, stop } = buildAgent({
    config,
    keys: () => keys,
    log,
    metrics,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop()
      .then(async () => {
        await metricsServer?.close();
        log.flush();
        process.exit(0);
      })
      .catch((err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Key rotation without a restart: re-read the config's keys; a bad file keeps the keys in use.
  process.on('SIGHUP', () => {
    try {
      keys = resolveSigningKeys(loadConfigFile(path));
      log.info({ activeKid: keys.activeKid, kids: Object.keys(keys.keys) }, 'signing keys reloaded');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'signing keys not reloaded; the previous keys stay in use');
    }
  });
  agent.start();
}

main().catch((err: unknown) => {
  const msg =
    err instanceof ConfigError
      ? err.message
      : `relay agent failed to start: ${(err as Error)?.message ?? err}`;
  process.stderr.write(`${msg}\n`);
  process.exit(2);
});
