import { DEFAULT_KID, type Keyring, parseKeyringText } from '@rackops/core/relay/keyring';
import type { AgentConfig } from './config.schema';
import { ConfigError, readSecretFile, resolveSigningKey } from './load-config';

/**
 * The agent's keyring from its config: `signingKeys` + `activeKid` (each key inline or in a 0600 file),
 * `signingKeysFile` (JSON `{activeKid, keys}`, 0600), or one key (`signingKey`/`signingKeyFile`, kid `default`).
 * Read at start and again on SIGHUP, so a rotation needs no restart.
 */
export function resolveSigningKeys(cfg: AgentConfig): Keyring {
  if (cfg.signingKeys) {
    const keys: Record<string, string> = {};
    for (const [kid, src] of Object.entries(cfg.signingKeys)) {
      const key = typeof src === 'string' ? src : readSecretFile(src.file, `signingKeys.${kid}.file`).trim();
      if (key.length < 32)
        throw new ConfigError(`signingKeys.${kid}: the key must be at least 32 characters`);
      keys[kid] = key;
    }
    return { activeKid: cfg.activeKid ?? '', keys };
  }
  if (cfg.signingKeysFile) {
    try {
      return parseKeyringText(readSecretFile(cfg.signingKeysFile, 'signingKeysFile'));
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`signingKeysFile: ${(err as Error).message}`);
    }
  }
  return { activeKid: DEFAULT_KID, keys: { [DEFAULT_KID]: resolveSigningKey(cfg) } };
}
