import '@rackops/core/polyfills';
import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import { pino } from 'pino';
import { type InProcessAgentOptions, startInProcessAgent } from './in-process-agent';

/**
 * The relay agent in a process of its own (the bench's topology, and the agent-crash scenario's SIGKILL). Its
 * options come as one JSON document on stdin — not argv, where the signing key and device passwords would be
 * readable by anyone on the machine. Prints `ready`, stops gracefully on SIGTERM.
 */
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const opts = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Omit<
  InProcessAgentOptions,
  'logger'
>;
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
