import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

export type PortHandler = (req: IncomingMessage, res: ServerResponse, port: number) => void;

/**
 * ONE TLS+HTTP server fed by many listening sockets (one loopback port per simulated device).
 * 2,000 iDRACs then cost 2,000 listening sockets but a single TLS context and HTTP parser
 * setup, which is what keeps a large lab under its memory and start-time budget. Each raw
 * connection is tagged with the port it arrived on, so handlers know which device is called.
 */
export class MultiPortTlsServer {
  private readonly https: HttpsServer;
  private readonly listeners = new Map<number, NetServer>();
  private readonly sockets = new Set<Socket>();
  private readonly portOf = new WeakMap<object, number>();

  /**
   * @param accept called for each new raw connection; false drops it before the TLS handshake
   *   (a device that is down: the client sees the connection reset at connect time).
   */
  constructor(
    tls: { key: string; cert: string },
    handler: PortHandler,
    private readonly accept: (port: number) => boolean = () => true,
  ) {
    this.https = createHttpsServer({ key: tls.key, cert: tls.cert, keepAliveTimeout: 5_000 }, (req, res) => {
      handler(req, res, this.portOf.get(req.socket) ?? req.socket.localPort ?? 0);
    });
    this.https.on('secureConnection', (tlsSocket) => {
      // The TLS socket wraps the raw one we tagged; copy the tag across.
      const raw = (tlsSocket as unknown as { _parent?: object })._parent;
      const port = raw ? this.portOf.get(raw) : undefined;
      if (port !== undefined) this.portOf.set(tlsSocket, port);
    });
    this.https.on('tlsClientError', () => {});
  }

  /** Open one more listening port on `host` (an ephemeral port unless `port` is given). */
  listen(host = '127.0.0.1', port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const net = createNetServer({ pauseOnConnect: false }, (socket) => {
        if (!this.accept(actual)) {
          socket.destroy();
          return;
        }
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
        this.portOf.set(socket, actual);
        this.https.emit('connection', socket);
      });
      let actual = 0;
      net.once('error', reject);
      net.listen({ host, port, backlog: 64 }, () => {
        const addr = net.address();
        actual = typeof addr === 'object' && addr ? addr.port : 0;
        this.listeners.set(actual, net);
        resolve(actual);
      });
    });
  }

  /** Connections that arrived on `port` (to drop them, e.g. when the device resets). */
  destroyConnections(port: number): void {
    for (const s of this.sockets) if (this.portOf.get(s) === port) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(
      [...this.listeners.values()].map((l) => new Promise<void>((resolve) => l.close(() => resolve()))),
    );
    this.listeners.clear();
    this.https.closeAllConnections?.();
    await new Promise<void>((resolve) => {
      this.https.close(() => resolve());
      // A server that never listened itself reports "not running"; the callback still fires.
    });
  }
}
