import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Every line goes through core's redaction (secret-named keys at any depth, URL userinfo, SOAP bodies).
 * Handlers never log credentials on purpose; this is the net under that rule.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      ...REDACTING_LOGGER,
      name: 'rackops-relay',
      level,
      base: { pid: process.pid },
    },
    destination ?? pino.destination(1),
  );
}
