import { createHmac, timingSafeEqual } from 'node:crypto';

/** JSON with object keys sorted at every depth (undefined members dropped): the bytes both sides sign. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const hmacSha256 = (key: string, text: string): Buffer =>
  createHmac('sha256', key).update(text).digest();

/** Constant-time comparison of a hex signature as received with the one computed here. */
export function macMatches(givenHex: string, expected: Buffer): boolean {
  const given = Buffer.from(givenHex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
