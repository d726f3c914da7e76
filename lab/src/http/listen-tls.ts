import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import type { LabCert } from '../tls/lab-cert';

export interface TlsListener {
  /** https://<bindHost>:<port> */
  readonly url: string;
  /** Drops open connections (clients see a reset, as when a device goes away) and stops listening. */
  close(): Promise<void>;
}

/** An HTTPS server with the lab's certificate on loopback (an ephemeral port unless one is given). */
export async function listenTls(
  opts: { cert: LabCert; bindHost?: string; port?: number },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TlsListener> {
  const sockets = new Set<Socket>();
  const server = createServer({ key: opts.cert.key, cert: opts.cert.cert, keepAliveTimeout: 5_000 }, handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Clients that refuse our self-signed certificate are expected (pinning tests); not a server error.
  server.on('tlsClientError', () => {});
  const bindHost = opts.bindHost ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `https://${bindHost}:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
