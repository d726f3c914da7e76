// Resume tokens of the simulated modern appliance, shared by the shim over zfs-fuse (zfs-shim.mjs) and the
// stand-alone sim (standalone/sim-transfer.mjs): `1-<crc>-<length>-<hex of deflated payload>`, the shape of an
// OpenZFS token, so the agent's token check (zfs-argv.ts) meets what a real appliance gives.
// Plain JS (no build step): both run as processes of their own under sshd.
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

const crc = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 9);

export function encodeToken(payload) {
  const packed = deflateSync(Buffer.from(JSON.stringify(payload)));
  return `1-${crc(packed)}-${packed.length.toString(16)}-${packed.toString('hex')}`;
}

/** The token's payload, or undefined for one that is not of the shape, garbled, or not ours. */
export function decodeToken(token) {
  const m = /^1-([0-9a-f]+)-([0-9a-f]+)-([0-9a-f]+)$/.exec(token);
  if (!m) return undefined;
  const packed = Buffer.from(m[3], 'hex');
  if (packed.length !== Number.parseInt(m[2], 16) || crc(packed) !== m[1]) return undefined;
  try {
    return JSON.parse(inflateSync(packed).toString());
  } catch {
    return undefined;
  }
}
