import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

/**
 * The iDRAC fetching an update package for SimpleUpdate. Only loopback URLs are reachable
 * from the lab (there is no internet); HTTPS is verified against the lab's own certificate.
 * Resolves with the byte count; rejects with a message the failed job will show.
 */
export function downloadImage(uri: string, ca: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      reject(new Error(`invalid image URI ${uri}`));
      return;
    }
    if (!['127.', 'localhost'].some((p) => url.hostname.startsWith(p))) {
      reject(new Error(`host ${url.hostname} is not reachable from the iDRAC`));
      return;
    }
    const onResponse = (res: import('node:http').IncomingMessage) => {
      if ((res.statusCode ?? 0) >= 400) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode} from ${url.host}`));
        return;
      }
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    };
    const req =
      url.protocol === 'https:'
        ? httpsGet(url, { ca, timeout: timeoutMs }, onResponse)
        : url.protocol === 'http:'
          ? httpGet(url, { timeout: timeoutMs }, onResponse)
          : undefined;
    if (!req) {
      reject(new Error(`transfer protocol ${url.protocol} is not supported by the lab`));
      return;
    }
    req.on('timeout', () => req.destroy(new Error('download timed out')));
    req.on('error', reject);
  });
}
