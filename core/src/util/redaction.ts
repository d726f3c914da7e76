/**
 * The one place that decides what a secret looks like in anything RackOps logs. Every logger runs its finished
 * line through `redactLogLine` (pino's `hooks.streamWrite`), so bindings of child loggers, serialized errors
 * and messages are covered at any depth — pino's own `redact` paths cannot say "at every depth".
 */

export const REDACTED = '[redacted]';
export const SOAP_BODY_REDACTED = '[soap body redacted]';

/**
 * Key names whose values are secrets, compared case-insensitively with `-` and `_` ignored. A key also matches
 * when it ends with one of SECRET_KEY_SUFFIXES (`devicePassword`, `relay_secret`, `X-Api-Key`).
 */
export const SECRET_KEY_NAMES = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'clientSecret',
  'token',
  'taskToken',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'microsoftAppPassword',
  'privateKey',
  'signingKey',
  'hmacKey',
  'credentials',
  'sessionId',
  'sig',
  'signature',
] as const;

const SECRET_KEY_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey', 'privatekey', 'signingkey'];

const normalise = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');
const SECRET_KEYS = new Set(SECRET_KEY_NAMES.map(normalise));

export function isSecretKey(key: string): boolean {
  const k = normalise(key);
  return SECRET_KEYS.has(k) || SECRET_KEY_SUFFIXES.some((s) => k.endsWith(s));
}

// scheme://user:pass@host — the userinfo goes, the rest stays readable.
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
// ?password=…&token=… in a URL or a form body.
const SECRET_QUERY =
  /([?&;](?:password|passwd|pwd|secret|token|access_token|api[-_]?key|sig|signature|client_secret)=)[^&;#\s"']*/gi;
// `Authorization: Basic …` / `Cookie: …` written into a string (a dumped request).
const SECRET_HEADER_LINE =
  /\b(authorization|proxy-authorization|cookie|set-cookie|x-auth-token)(\s*[:=]\s*)[^\r\n"]*/gi;
// A vSphere SOAP Login or anything XML carrying a password is never logged at all.
const SOAP_SECRET = /<(?:[\w-]+:)?(?:Login|password|userName)\b/i;

export function redactString(s: string): string {
  if (SOAP_SECRET.test(s)) return SOAP_BODY_REDACTED;
  return s
    .replace(URL_USERINFO, '$1***@')
    .replace(SECRET_QUERY, '$1***')
    .replace(SECRET_HEADER_LINE, `$1$2${REDACTED}`);
}

/** A deep copy of `value` with every secret-named key censored and every string cleaned, at any depth. */
export function redactSecrets(value: unknown): unknown {
  return copy(value, new WeakSet());
}

function copy(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => copy(v, seen));
  const out: Record<string, unknown> = {};
  const source = value instanceof Error ? errorFields(value) : (value as Record<string, unknown>);
  for (const [k, v] of Object.entries(source)) {
    // Own properties only, and never onto the prototype: a `__proto__` key is data here.
    Object.defineProperty(out, k, {
      value: isSecretKey(k) && v !== undefined && v !== null ? REDACTED : copy(v, seen),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function errorFields(err: Error): Record<string, unknown> {
  return { ...err, type: err.name, message: err.message, stack: err.stack };
}

/**
 * pino `hooks.streamWrite`: the finished JSON line, redacted. A line that is somehow not JSON is still
 * cleaned as text.
 */
export function redactLogLine(line: string): string {
  const newline = line.endsWith('\n') ? '\n' : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return redactString(line);
  }
  return JSON.stringify(redactSecrets(parsed)) + newline;
}

/** Spread into every pino options object: `pino({ ...REDACTING_LOGGER, level })`. */
export const REDACTING_LOGGER = { hooks: { streamWrite: redactLogLine } } as const;
