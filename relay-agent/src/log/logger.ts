import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino censors wherever they appear (one and two levels deep). Handlers never log
 * credentials on purpose; this is the net under that rule.
 */
export const REDACT_PATHS = [
  'password',
  'Password',
  'token',
  'taskToken',
  'sig',
  'signingKey',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'x-auth-token',
  'X-Auth-Token',
  'credentials',
  'sessionId',
  '*.password',
  '*.Password',
  '*.token',
  '*.taskToken',
  '*.sig',
  '*.signingKey',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.Cookie',
  '*["x-auth-token"]',
  '*["X-Auth-Token"]',
  '*["set-cookie"]',
  '*.credentials',
  '*.sessionId',
  '*.*.password',
  '*.*.token',
  '*.*.authorization',
  '*.*["x-auth-token"]',
  '*.*.credentials',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'rackops-relay',
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination ?? pino.destination(1),
  );
}
