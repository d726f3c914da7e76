import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startLab } from './index';
import { DEFAULT_LAB } from './config/default-lab';
import { generateLab } from './generator';

/**
 * `npm run lab -- [--config lab.json] [--hosts 2000] [--time-scale 0.0166] [--seed 1] [--ca-out lab-ca.pem]`
 * Starts the lab, prints its endpoints as ONE JSON line on stdout, and serves until stopped.
 */
const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    hosts: { type: 'string' },
    'time-scale': { type: 'string' },
    seed: { type: 'string' },
    'ca-out': { type: 'string' },
  },
});

try {
  const config = values.config
    ? (JSON.parse(readFileSync(values.config, 'utf8')) as unknown)
    : values.hosts
      ? generateLab({ hosts: Number(values.hosts) })
      : DEFAULT_LAB;
  const lab = await startLab(config as typeof DEFAULT_LAB, {
    ...(values['time-scale'] ? { timeScale: Number(values['time-scale']) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  // The lab certificate, for clients outside this process (curl --cacert, the agent's trust store).
  if (values['ca-out']) writeFileSync(values['ca-out'], lab.tls.ca);
  process.stdout.write(`${JSON.stringify({ lab: lab.world.name, ...lab.endpoints })}\n`);
  const shutdown = () => {
    lab.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (e) {
  process.stderr.write(`lab: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
