import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { checkPinOnHandshake, normaliseFingerprint } from '../src/util/certificate-pin';

const hexByte = (n: number) => (n % 256).toString(16).padStart(2, '0').toUpperCase();
const FP = Array.from({ length: 32 }, (_, i) => hexByte(i * 7 + 3)).join(':');

/** A socket-shaped emitter: the handshake is `emit('secureConnect')`, the certificate is whatever is set. */
class HandshakeSocket extends EventEmitter {
  destroyedWith: Error | undefined;
  constructor(private readonly fingerprint256: string | undefined) {
    super();
  }
  getPeerCertificate() {
    return this.fingerprint256 === undefined ? {} : { fingerprint256: this.fingerprint256 };
  }
  destroy(error?: Error) {
    this.destroyedWith = error;
  }
}

function handshake(presented: string | undefined, pinned: string): Error | undefined {
  const socket = checkPinOnHandshake(
    new HandshakeSocket(presented),
    pinned,
    (expected, actual) => new Error(`${actual} is not ${expected}`),
  );
  expect(socket.destroyedWith).toBeUndefined(); // nothing is decided before the handshake
  socket.emit('secureConnect');
  return socket.destroyedWith;
}

describe('certificate pin check', () => {
  it('accepts the pinned certificate, however the pin is written', () => {
    expect(handshake(FP, FP)).toBeUndefined();
    expect(handshake(FP, FP.toLowerCase())).toBeUndefined();
    expect(handshake(FP, FP.replace(/:/g, ''))).toBeUndefined();
    expect(normaliseFingerprint(FP.toLowerCase().replace(/:/g, ''))).toBe(FP);
  });

  it('destroys the socket on another certificate, naming both fingerprints', () => {
    const other = FP.replace(/^../, FP.startsWith('00') ? '11' : '00');
    expect(handshake(other, FP)?.message).toBe(`${other} is not ${FP}`);
  });

  it('fails closed when the handshake presents no certificate (a resumed TLS session)', () => {
    expect(handshake(undefined, FP)?.message).toBe(`(none) is not ${FP}`);
  });
});
