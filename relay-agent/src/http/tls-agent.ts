import { readFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { CertificatePinError } from './errors';
import type { TlsPolicy } from './tls-policy';

type ConnectCallback = (err: Error | null, socket?: Duplex) => void;

/**
 * An https.Agent that pins the device's leaf certificate by SHA-256 fingerprint.
 * Node skips checkServerIdentity when chain validation already failed (always, for a self-signed
 * iDRAC certificate), so the pin is checked here instead: the socket is handed to the HTTP layer
 * only after the handshake and the fingerprint check, so no request byte reaches a wrong peer.
 */
class PinnedAgent extends Agent {
  constructor(
    private readonly device: string,
    private readonly sha256: string,
    opts: AgentOptions,
  ) {
    super({ ...opts, rejectUnauthorized: false });
  }

  override createConnection(options: ConnectionOptions, cb: ConnectCallback): undefined {
    const socket: TLSSocket = connect({ ...options, rejectUnauthorized: false });
    const onError = (err: Error) => cb(err);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const actual = socket.getPeerCertificate()?.fingerprint256 ?? '(none)';
      if (actual !== this.sha256) {
        const err = new CertificatePinError(this.device, this.sha256, actual);
        socket.destroy();
        cb(err);
        return;
      }
      cb(null, socket);
    });
    return undefined;
  }
}

export function createTlsAgent(device: string, policy: TlsPolicy, maxSockets = 4): Agent {
  const base: AgentOptions = { keepAlive: true, maxSockets, timeout: 60_000 };
  switch (policy.mode) {
    case 'pin':
      return new PinnedAgent(device, policy.sha256, base);
    case 'ca':
      // Standard verification: the chain must lead to this CA and the certificate must name the host.
      return new Agent({ ...base, ca: readFileSync(policy.caFile), rejectUnauthorized: true });
    case 'insecure':
      return new Agent({ ...base, rejectUnauthorized: false });
  }
}
