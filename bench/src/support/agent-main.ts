import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import '@rackops/core/polyfills';
import { startInProcessAgent, type InProcessAgentOptions } from '@rackops/local/runtime/in-process-agent';
import { pino } from 'pino';

/**
 * The relay agent in a process of its own (bench topology: orchestrator | agent | devices). Options come as
 * one JSON argument; prints `ready`, stops on SIGTERM.
 */
const opts = JSON.parse(process.argv[2] ?? '{}') as Omit<InProcessAgentOptions, 'logger'>;
const agent = startInProcessAgent({
  ...opts,
  logger: pino({ ...REDACTING_LOGGER, level: 'warn' }, pino.destination(2)),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  agent.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
