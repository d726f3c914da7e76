import { readFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';
import { checkPinOnHandshake } from '@rackops/core/util/certificate-pin';
import { CertificatePinError } from './errors';
import type { TlsPolicy } from './tls-policy';

/**
 * An https.Agent that pins the device's leaf certificate by SHA-256 fingerprint.
 * Node skips checkServerIdentity when chain validation already failed (always, for a self-signed
 * iDRAC certificate), so the pin is checked on the handshake by core's `checkPinOnHandshake` (the pin
 * test checks the device receives no request). Overriding createConnection also bypasses the agent's TLS
 * session cache: every connection does a full handshake, so there is always a certificate to check.
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
    return checkPinOnHandshake(
      connect({ ...options, rejectUnauthorized: false }),
      this.sha256,
      (expected, actual) => new CertificatePinError(this.device, expected, actual),
    );
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
