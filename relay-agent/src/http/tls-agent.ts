import { readFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { CertificatePinError } from './errors';
import type { TlsPolicy } from './tls-policy';

/**
 * An https.Agent that pins the device's leaf certificate by SHA-256 fingerprint.
 * Node skips checkServerIdentity when chain validation already failed (always, for a self-signed
 * iDRAC certificate), so the pin is checked on `secureConnect`, registered before the HTTP layer
 * sees the socket: a mismatch destroys the socket in the handshake callback, before the queued
 * request is flushed (the pin test checks the device receives no request).
 */
class PinnedAgent extends Agent {
  constructor(
    private readonly device: string,
    private readonly sha256: string,
    opts: AgentOptions,
  ) {
    super({ ...opts, rejectUnauthorized: false });
  }

  override createConnection(options: ConnectionOptions): Duplex {
    const socket: TLSSocket = connect({ ...options, rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      const actual = socket.getPeerCertificate()?.fingerprint256 ?? '(none)';
      if (actual !== this.sha256) socket.destroy(new CertificatePinError(this.device, this.sha256, actual));
    });
    return socket;
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
