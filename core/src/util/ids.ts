import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = 0;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/**
 * Monotonic ULID: ids made in one process sort in creation order even within the same millisecond,
 * which is what keeps concurrent console-log appends readable in order.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime && lastRandom.length === 16) {
    for (let i = 15; i >= 0; i--) {
      const digit = lastRandom[i] ?? 0;
      if (digit < 31) {
        lastRandom[i] = digit + 1;
        break;
      }
      lastRandom[i] = 0;
    }
  } else {
    lastTime = now;
    lastRandom = [...randomBytes(16)].map((b) => b % 32);
    lastRandom[0] = (lastRandom[0] ?? 0) % 16; // leave headroom so increments never overflow
  }
  return encodeTime(lastTime) + lastRandom.map((d) => ALPHABET[d]).join('');
}

/**
 * An id taken from outside (a job, host, window, command): short, and only characters that are safe in a
 * key, a file name and a log line. Jobs are ULIDs; hosts are service tags or DNS names.
 */
export const BoundedId = z
  .string()
  .min(1)
  .max(128, 'at most 128 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'letters, digits and . _ : @ - only');
