import { z } from 'zod';
import { ALLOW_LIST_ONLY, type AddressClass, classifyHost, NEVER_ALLOWED } from './ip-address';

/**
 * The outbound URL policy shared by the bot (at job creation) and the relay agent (before anything is sent to a
 * device). A URL we hand to an iDRAC is fetched by the iDRAC, from inside the datacenter: without a policy it is
 * a server-side request forgery primitive (cloud metadata, loopback services, any NFS share). Pure: the agent adds
 * DNS resolution on top (relay-agent/src/net/url-guard.ts).
 */
export type OutboundUse = 'virtual-media' | 'firmware';

/** Which rule refused a URL: named in every refusal so an operator knows what to change. */
export type UrlRule =
  | 'malformed'
  | 'scheme'
  | 'userinfo'
  | 'address'
  | 'host-not-allowed'
  | 'outside-catalog';

export type UrlVerdict = { ok: true; url: URL; host: string } | { ok: false; rule: UrlRule; reason: string };

/** Virtual media: https anywhere public, nfs/cifs only to allow-listed hosts. Firmware: https only. */
export const ALLOWED_SCHEMES: Record<OutboundUse, readonly string[]> = {
  'virtual-media': ['https', 'nfs', 'cifs'],
  firmware: ['https'],
};

export const MAX_URL_LENGTH = 2048;

export interface OutboundPolicy {
  /** Hosts virtual media may come from over nfs/cifs, or that resolve to private/loopback addresses. */
  readonly mediaHosts: readonly string[];
  /** Firmware repository hosts (https). */
  readonly firmwareHosts: readonly string[];
  /** The firmware catalog's base location: packages under it are allowed too. */
  readonly catalogBase?: string;
}

/** Host as compared with allow-lists and classified: lower case, no brackets, no trailing dot. */
export function hostOf(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

export const isAllowListed = (host: string, list: readonly string[]): boolean =>
  list.some((h) => h.toLowerCase().replace(/\.$/, '') === host);

const refuse = (rule: UrlRule, reason: string): UrlVerdict => ({ ok: false, rule, reason });

/** Describes an address class for a refusal message. */
export const addressRefusal = (host: string, cls: AddressClass): string =>
  `${host} is a ${cls} address; outbound URLs may not reach ${cls} addresses`;

/**
 * What can be decided without a policy or DNS: a well-formed URL of an allowed scheme for this use, no
 * credentials in it, and not an address literal that no configuration could allow (metadata, link-local…).
 */
export function checkUrlShape(raw: string, use: OutboundUse): UrlVerdict {
  if (raw.length > MAX_URL_LENGTH) return refuse('malformed', `longer than ${MAX_URL_LENGTH} characters`);
  // Control characters, spaces and backslashes are how parsers get to disagree about the host.
  if (/[\s\\]/.test(raw) || [...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return refuse('malformed', 'contains spaces, control characters or backslashes');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('malformed', 'not an absolute URL');
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const allowed = ALLOWED_SCHEMES[use];
  if (!allowed.includes(scheme))
    return refuse('scheme', `${scheme}: is not allowed for ${use} (allowed: ${allowed.join(', ')})`);
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? '';
  if (url.username || url.password || authority.includes('@'))
    return refuse(
      'userinfo',
      'credentials in a URL are not allowed; name a credentials reference (login NAME) instead',
    );
  const host = hostOf(url);
  if (!host) return refuse('malformed', 'no host');
  if (host.includes('%')) return refuse('malformed', 'percent-encoded host');
  const cls = classifyHost(host);
  if (cls && NEVER_ALLOWED.has(cls)) return refuse('address', addressRefusal(host, cls));
  return { ok: true, url, host };
}

/** Is `url` inside the catalog's base location (same origin, path under the base's folder)? */
export function isUnderBase(url: URL, base: string): boolean {
  let b: URL;
  try {
    b = new URL(base);
  } catch {
    return false;
  }
  if (b.protocol !== 'https:' || url.origin !== b.origin) return false;
  const folder = b.pathname.replace(/[^/]*$/, '');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return false;
  }
  return url.pathname.startsWith(folder) && !/(^|\/)\.\.?(\/|$)/.test(path);
}

/** The shape checks, then the configuration's allow-lists; address literals are classified too. */
export function checkOutboundUrl(raw: string, use: OutboundUse, policy: OutboundPolicy): UrlVerdict {
  const shape = checkUrlShape(raw, use);
  if (!shape.ok) return shape;
  const { url, host } = shape;
  const scheme = url.protocol.replace(/:$/, '');
  let listed: boolean;
  if (use === 'firmware') {
    listed = isAllowListed(host, policy.firmwareHosts);
    const underCatalog = policy.catalogBase !== undefined && isUnderBase(url, policy.catalogBase);
    if (!listed && !underCatalog)
      return refuse(
        'host-not-allowed',
        `${host} is not a firmware repository host (repository.hosts) nor under the catalog's base location`,
      );
    listed = true;
  } else {
    listed = isAllowListed(host, policy.mediaHosts);
    if (scheme !== 'https' && !listed)
      return refuse(
        'host-not-allowed',
        `${scheme}: media only from hosts on media.allowHosts (${host} is not)`,
      );
  }
  const cls = classifyHost(host);
  if (cls && ALLOW_LIST_ONLY.has(cls) && !listed) return refuse('address', addressRefusal(host, cls));
  return shape;
}

/** A URL for outbound use, checked for shape (the allow-lists are the agent's business). */
export const outboundUrl = (use: OutboundUse) =>
  z.string().superRefine((raw, ctx) => {
    const v = checkUrlShape(raw, use);
    if (!v.ok) ctx.addIssue({ code: 'custom', message: `${v.rule}: ${v.reason}` });
  });

/** A name the agent resolves to credentials on-prem (config `media.credentials.<name>`): never a secret itself. */
export const CredentialsRef = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a credentials name: letters, digits, . _ -');

/** The URL without user info (for anything echoed back: results, logs, cards); unparsable → a placeholder. */
export function withoutUserinfo(raw: string): string {
  try {
    const u = new URL(raw);
    if (!u.username && !u.password) return raw;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '[unparsable URL]';
  }
}
