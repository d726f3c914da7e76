import { readFileSync, statSync } from 'node:fs';
import { RackOpsError } from '@rackops/core/util/errors';
import { isSecretKey } from '@rackops/core/util/redaction';
import { z } from 'zod';
import { AgentConfig, type DeviceConfig } from './config.schema';

export class ConfigError extends RackOpsError {
  constructor(message: string) {
    super('config', message);
  }
}

/** Environment variables that override the file (handy for containers and systemd drop-ins). */
const ENV: Record<string, (c: Record<string, unknown>, v: string) => void> = {
  RELAY_AGENT_ID: (c, v) => (c.agentId = v),
  RELAY_SIGNING_KEY: (c, v) => (c.signingKey = v),
  RELAY_SIGNING_KEY_FILE: (c, v) => (c.signingKeyFile = v),
  RELAY_COMMANDS_QUEUE_URL: (c, v) => (q(c).commandsUrl = v),
  RELAY_RESULTS_QUEUE_URL: (c, v) => (q(c).resultsUrl = v),
  AWS_REGION: (c, v) => (q(c).region = v),
  RELAY_SQS_ENDPOINT: (c, v) => (q(c).endpoint = v),
  RELAY_LEDGER_PATH: (c, v) => (c.ledgerPath = v),
  RELAY_LOG_LEVEL: (c, v) => (c.logLevel = v),
  RELAY_METRICS_PORT: (c, v) => (c.metrics = { port: v === 'off' ? null : Number(v) }),
  RELAY_HEARTBEAT_SECONDS: (c, v) => (c.heartbeatSeconds = Number(v)),
  RELAY_MAX_CONCURRENCY: (c, v) => (c.concurrency = { ...((c.concurrency as object) ?? {}), max: Number(v) }),
};
function q(c: Record<string, unknown>): Record<string, unknown> {
  c.queues ??= {};
  return c.queues as Record<string, unknown>;
}

/** Parses raw config + env; the error names the field that is wrong. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = {}): AgentConfig {
  const obj: Record<string, unknown> = structuredClone((raw ?? {}) as Record<string, unknown>);
  for (const [name, apply] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') apply(obj, v);
  }
  const parsed = AgentConfig.safeParse(obj);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid relay agent configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  const keySources = [cfg.signingKey, cfg.signingKeyFile, cfg.signingKeys, cfg.signingKeysFile];
  if (keySources.filter((k) => k !== undefined).length !== 1) {
    throw new ConfigError(
      'invalid relay agent configuration:\n  signingKey: give exactly one of signingKey, signingKeyFile, signingKeys or signingKeysFile',
    );
  }
  if (cfg.signingKeys && (!cfg.activeKid || !Object.hasOwn(cfg.signingKeys, cfg.activeKid))) {
    throw new ConfigError('invalid relay agent configuration:\n  activeKid: must name one of signingKeys');
  }
  return cfg;
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const config = parseConfig(raw, env);
  assertPrivateIfSecrets(path, raw);
  return config;
}

/**
 * A config file holding a secret inline (signingKey, device passwords) is a secret file: readable by the
 * agent's user only, like signingKeyFile and credentialsFile.
 */
function assertPrivateIfSecrets(path: string, raw: unknown): void {
  const secrets = inlineSecretFields(raw, '');
  if (secrets.length === 0) return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  throw new ConfigError(
    `config file ${path} has mode ${mode.toString(8)} and holds secrets inline (${secrets.join(', ')}); ` +
      `make it readable by the agent only (chmod 600 ${path}) or move them to signingKeyFile / credentialsFile`,
  );
}

function inlineSecretFields(value: unknown, at: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    if (typeof v === 'string' && v !== '' && isSecretKey(k)) return [path];
    return inlineSecretFields(v, path);
  });
}

/** Secrets on disk must be readable by the agent's user only. */
export function readSecretFile(path: string, field: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new ConfigError(`${field}: cannot read ${path}: ${(err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(
      `${field}: ${path} has mode ${(mode & 0o777).toString(8)}; it must be 600 (readable by the agent only)`,
    );
  }
  return readFileSync(path, 'utf8');
}

const CredentialsFile = z.object({ username: z.string().min(1), password: z.string().min(1) });

export function resolveCredentials(
  dev: Pick<DeviceConfig, 'credentials' | 'credentialsFile'>,
  field: string,
): { username: string; password: string } {
  if (dev.credentials) return dev.credentials;
  const file = dev.credentialsFile ?? '';
  const text = readSecretFile(file, `${field}.credentialsFile`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`${field}.credentialsFile: ${file} is not JSON {"username","password"}`);
  }
  const parsed = CredentialsFile.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`${field}.credentialsFile: ${file} must hold {"username","password"}`);
  return parsed.data;
}

export function resolveSigningKey(cfg: AgentConfig): string {
  if (cfg.signingKey) return cfg.signingKey;
  const key = readSecretFile(cfg.signingKeyFile ?? '', 'signingKeyFile').trim();
  if (key.length < 32) throw new ConfigError('signingKeyFile: the key must be at least 32 characters');
  return key;
}
