/**
 * The one certificate-pin check of the project (relay agent devices and repository, the catalog fetch).
 * It stays free of node:tls so core stays pure: each adapter opens its own TLS socket and hands it here.
 */

/** Normalises `ab:cd:..` / `abcd..` to Node's `AB:CD:..` form (what `fingerprint256` returns). */
export function normaliseFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

/** What the check needs of a `tls.TLSSocket`; structural, so core imports no network module. */
export interface PinnableSocket {
  once(event: 'secureConnect', listener: () => void): unknown;
  getPeerCertificate(): { fingerprint256?: string } | null | undefined;
  destroy(error?: Error): unknown;
}

/**
 * Checks the leaf certificate against the pin when the handshake completes, which happens once per TLS
 * connection: a kept-alive connection reused for a later request was checked when it was opened, and its
 * later responses no longer carry the certificate (Node reports none), so a check per response fails the
 * second request. A resumed TLS session presents no certificate either; it fails closed here, so pinned
 * sockets are opened without a cached session. On a mismatch the socket is destroyed inside the handshake
 * callback, registered before the HTTP layer sees the socket, so no request byte is sent.
 * Returns the socket, for use inside an agent's `createConnection`.
 */
export function checkPinOnHandshake<S extends PinnableSocket>(
  socket: S,
  pinned: string,
  mismatch: (expected: string, actual: string) => Error,
): S {
  const expected = normaliseFingerprint(pinned);
  socket.once('secureConnect', () => {
    const presented = socket.getPeerCertificate()?.fingerprint256;
    const actual = presented ? normaliseFingerprint(presented) : '(none)';
    if (actual !== expected) socket.destroy(mismatch(expected, actual));
  });
  return socket;
}
