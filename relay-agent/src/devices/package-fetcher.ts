import type { TlsPolicy } from '../http/tls-policy';
import { HttpClient } from '../http/http-client';
import { createTlsAgent } from '../http/tls-agent';
import { DeviceOperationError } from '../http/errors';
import type { PackageFetcher } from '../commands/stage-firmware.handler';

/**
 * Downloads firmware packages from the on-prem repository for multipart pushes. HTTPS only, with
 * the repository's TLS policy (system CAs when none is configured).
 */
export function createPackageFetcher(tls: TlsPolicy | undefined, timeoutMs: number): PackageFetcher {
  const clients = new Map<string, HttpClient>();
  return async (url, signal) => {
    const u = new URL(url);
    if (u.protocol !== 'https:')
      throw new DeviceOperationError(
        'package_url',
        `refusing to fetch firmware over ${u.protocol} (${u.host})`,
      );
    let c = clients.get(u.origin);
    if (!c) {
      const agent = tls
        ? createTlsAgent(`repository ${u.host}`, tls)
        : new (await import('node:https')).Agent({ keepAlive: true });
      c = new HttpClient({ baseUrl: u.origin, device: `repository ${u.host}`, agent, timeoutMs });
      clients.set(u.origin, c);
    }
    const res = await c.request(`${u.pathname}${u.search}`, { signal, headers: { accept: '*/*' } });
    return res.body;
  };
}
