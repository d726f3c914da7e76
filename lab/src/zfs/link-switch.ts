import { type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP forwarder on loopback in front of an appliance's sshd that can be cut and restored: "the target
 * appliance is unreachable" without touching the one sshd both test sites share. Cut closes the listener
 * (new connections are refused) and resets the connections in flight.
 */
export interface LinkSwitch {
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startLinkSwitch(target: { host: string; port: number }): Promise<LinkSwitch> {
  const open = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = createConnection(target, client);
        open.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const addr = s.address();
        if (addr && typeof addr === 'object') port = addr.port;
        server = s;
        resolve();
      });
    });
  const cut = async () => {
    const s = server;
    server = undefined;
    for (const sock of open) sock.destroy();
    open.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: async () => {
      if (!server) await listen();
    },
    close: cut,
  };
}

function createConnection(target: { host: string; port: number }, client: Socket): Socket {
  // Paused until the upstream connects: nothing the client sends first is lost.
  client.pause();
  return connect(target.port, target.host, () => client.resume());
}
