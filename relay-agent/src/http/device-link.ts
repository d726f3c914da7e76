import { DeviceOperationError } from './errors';

/** A link a device handed us (an `@odata.id`, a nextLink, a Location header) that we will not follow. */
export class LinkRefusedError extends DeviceOperationError {
  constructor(device: string, link: string, why: string) {
    super('link_refused', `${device} sent a link we will not follow (${why}): ${printable(link)}`);
  }
}

const printable = (s: string): string =>
  [...s.slice(0, 200)].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c)).join('');

/**
 * A link from a device, as a path on that same device. A hostile or compromised device controls every link it
 * sends: an absolute URL elsewhere would make the agent send its session token (and credentials, on login)
 * to another host; dot segments and encoded slashes walk out of the API. Same-origin absolute URLs are reduced
 * to their path; the path must match `pattern` (the API family the caller expects).
 */
export function deviceLink(device: string, baseUrl: string, link: string, pattern: RegExp): string {
  if (link.length > 1024) throw new LinkRefusedError(device, link, 'too long');
  if ([...link].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) || /[\s\\]/.test(link))
    throw new LinkRefusedError(device, link, 'control characters, spaces or backslashes');
  let path = link;
  if (!link.startsWith('/') || link.startsWith('//')) {
    let u: URL;
    try {
      u = new URL(link);
    } catch {
      throw new LinkRefusedError(device, link, 'neither a path nor an absolute URL');
    }
    if (u.origin !== new URL(baseUrl).origin || u.username || u.password)
      throw new LinkRefusedError(device, link, `leaves the device's origin ${new URL(baseUrl).origin}`);
    path = `${u.pathname}${u.search}`;
  }
  const pathOnly = path.replace(/[?#].*$/, '');
  if (/%2e|%2f|%5c|%00/i.test(pathOnly) || /(^|\/)\.\.?(\/|$)/.test(pathOnly))
    throw new LinkRefusedError(device, link, 'dot segments or encoded separators');
  if (!pattern.test(pathOnly)) throw new LinkRefusedError(device, link, `not a ${pattern.source} path`);
  return path;
}

/** The origin check every request makes: a path that resolves to another origin is never sent. */
export function sameOrigin(device: string, baseUrl: string, path: string): URL {
  const url = new URL(path, baseUrl);
  if (url.origin !== new URL(baseUrl).origin || url.username || url.password)
    throw new LinkRefusedError(device, path, `leaves the device's origin ${new URL(baseUrl).origin}`);
  return url;
}
