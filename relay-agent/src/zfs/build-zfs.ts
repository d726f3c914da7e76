import { statSync } from 'node:fs';
import type { AgentConfig } from '../config/config.schema';
import { ConfigError } from '../config/load-config';
import { createZfsAppliances, type ZfsAppliances } from './zfs-appliance';

/**
 * The configured ZFS appliances, or undefined when there are none. Each key file is checked now, so a
 * key another user can read stops the agent at start instead of failing the first replication at night.
 */
export function buildZfsAppliances(cfg: AgentConfig): ZfsAppliances | undefined {
  const sites = Object.entries(cfg.zfs.sites);
  if (sites.length === 0) return undefined;
  for (const [id, site] of sites) {
    const field = `zfs.sites.${id}.keyFile`;
    let mode: number;
    try {
      mode = statSync(site.keyFile).mode;
    } catch (err) {
      throw new ConfigError(`${field}: cannot read ${site.keyFile}: ${(err as Error).message}`);
    }
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(
        `${field}: ${site.keyFile} has mode ${(mode & 0o777).toString(8)}; it must be 600 (readable by the agent only)`,
      );
    }
  }
  return createZfsAppliances(
    Object.fromEntries(
      sites.map(([id, s]) => [
        id,
        {
          host: s.host,
          port: s.port,
          username: s.user,
          privateKeyPath: s.keyFile,
          hostKeyFingerprint: s.hostKeyFingerprint,
          direct: s.direct,
        },
      ]),
    ),
  );
}
