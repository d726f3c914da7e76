import { HttpClient } from '../http/http-client';
import { createTlsAgent } from '../http/tls-agent';
import { RedfishClient } from '../redfish/redfish-client';

/**
 * The agent's real Redfish client for one device, pinned to its certificate, one attempt per request: what the
 * hostile-device tests and attacks point at a compromised iDRAC. `close` frees the pooled sockets.
 */
export function pinnedRedfishClient(device: { url: string; certSha256: string }): {
  rf: RedfishClient;
  close(): void;
} {
  const agent = createTlsAgent('idrac hostile', { mode: 'pin', sha256: device.certSha256 });
  const rf = new RedfishClient(
    new HttpClient({
      baseUrl: device.url,
      device: 'idrac hostile',
      agent,
      timeoutMs: 3000,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    }),
    { username: 'root', password: 'calvin' },
  );
  return { rf, close: () => agent.destroy() };
}
