import { lookup, Resolver } from 'node:dns/promises';
import { ALLOW_LIST_ONLY, classifyHost, NEVER_ALLOWED } from '@rackops/core/net/ip-address';
import {
  addressRefusal,
  checkOutboundUrl,
  isAllowListed,
  type OutboundPolicy,
  type OutboundUse,
} from '@rackops/core/net/outbound-url';
import { DeviceOperationError } from '../http/errors';

/** The agent's refusal of a URL: never sent to a device, never fetched. */
export class UrlRefusedError extends DeviceOperationError {
  constructor(
    readonly rule: string,
    reason: string,
  ) {
    super('url_refused', `URL refused (${rule}): ${reason}`);
  }
}

export type Resolve = (host: string) => Promise<string[]>;

/** node:dns, every address the name has (a name with one public and one loopback answer is a loopback name). */
export const systemResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Asks the given DNS servers directly (A and AAAA): for a site whose agent should use the iDRACs' resolvers. */
export function serversResolve(servers: string[]): Resolve {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers(servers);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
    const all = [
      ...(v4.status === 'fulfilled' ? v4.value : []),
      ...(v6.status === 'fulfilled' ? v6.value : []),
    ];
    if (all.length === 0 && v4.status === 'rejected') throw v4.reason;
    return all;
  };
}

export interface UrlGuard {
  /** Resolves when `raw` may be handed to a device for `use`; throws UrlRefusedError otherwise. */
  check(raw: string, use: OutboundUse): Promise<URL>;
}

/**
 * The outbound URL policy with DNS: the shape and allow-list rules of core's policy, then every address the host
 * resolves to must be public — or private/loopback with the host on the allow-list; metadata, link-local and
 * the like never. A name that does not resolve here is refused unless allow-listed (the iDRAC may use another
 * DNS, but we cannot vouch for what we cannot see). The device resolves again later, so a rebinding name can
 * still change its answer: the allow-lists are the real boundary for anything private.
 */
export function createUrlGuard(policy: OutboundPolicy, resolve: Resolve = systemResolve): UrlGuard {
  return {
    async check(raw, use) {
      const v = checkOutboundUrl(raw, use, policy);
      if (!v.ok) throw new UrlRefusedError(v.rule, v.reason);
      const listed = isAllowListed(v.host, use === 'firmware' ? policy.firmwareHosts : policy.mediaHosts);
      if (classifyHost(v.host) !== undefined) return v.url; // a literal: already classified by the policy
      let addresses: string[];
      try {
        addresses = await resolve(v.host);
      } catch (err) {
        if (listed) return v.url;
        throw new UrlRefusedError('address', `${v.host} does not resolve: ${(err as Error).message}`);
      }
      if (addresses.length === 0 && !listed) throw new UrlRefusedError('address', `${v.host} has no address`);
      for (const a of addresses) {
        const cls = classifyHost(a) ?? 'reserved';
        if (NEVER_ALLOWED.has(cls) || (ALLOW_LIST_ONLY.has(cls) && !listed))
          throw new UrlRefusedError('address', `${v.host} resolves to ${a}: ${addressRefusal(a, cls)}`);
      }
      return v.url;
    },
  };
}
