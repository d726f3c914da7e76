import type { OutboundPolicy } from '@rackops/core/net/outbound-url';
import type { AgentConfig } from '../config/config.schema';
import { ConfigError, resolveCredentials } from '../config/load-config';
import { createUrlGuard, type Resolve, systemResolve, type UrlGuard } from './url-guard';

/** A share login, resolved on-prem from a command's `credentialsRef`. */
export interface MediaLogin {
  readonly username: string;
  readonly password: string;
}

/** What handlers that hand URLs to devices need: the guard and the media logins by name. */
export interface Outbound {
  readonly guard: UrlGuard;
  /** Throws UrlRefusedError-like DeviceOperationError `credentials_unknown` for a name the config lacks. */
  mediaLogin(ref: string): MediaLogin;
}

export function outboundPolicy(cfg: Pick<AgentConfig, 'repository' | 'media'>): OutboundPolicy {
  return { mediaHosts: cfg.media.allowHosts, firmwareHosts: cfg.repository.hosts };
}

/** Built once at start: credential files are read (and their mode checked) before any command runs. */
export function createOutbound(
  cfg: Pick<AgentConfig, 'repository' | 'media'>,
  resolve: Resolve = systemResolve,
): Outbound {
  const logins = new Map(
    Object.entries(cfg.media.credentials).map(([name, c]) => [
      name,
      resolveCredentials(c, `media.credentials.${name}`),
    ]),
  );
  return {
    guard: createUrlGuard(outboundPolicy(cfg), resolve),
    mediaLogin(ref) {
      const login = logins.get(ref);
      if (!login) throw new ConfigError(`media.credentials has no entry "${ref}"`);
      return login;
    },
  };
}
