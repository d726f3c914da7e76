/**
 * Dell firmware versions come in mixed formats: dotted decimals (`1.8.2`, `21.80.16.95`, `2.10.2`),
 * hex byte pairs (`00.2A.2B` on power supplies), builds with letters (`4301A56` diagnostics) and
 * Dell revisions (`A07`). Compare segment by segment (split on `.`, `-`, `_`, space; missing segments
 * count as 0):
 * - two segments of the same length made of hex digits, at least one with a letter A–F, compare as
 *   hex numbers (`2A` < `2B`, `0A` > `09`);
 * - otherwise each segment is cut into runs of digits and letters (`4301A56` → 4301, A, 56): digit
 *   runs compare as numbers (so `10` > `9`, `00` = `0`), letter runs case-insensitively, and a number
 *   sorts before letters.
 */
export function compareDellVersions(a: string, b: string): -1 | 0 | 1 {
  const sa = segments(a);
  const sb = segments(b);
  const n = Math.max(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    const c = compareSegment(sa[i] ?? '0', sb[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

export const isNewerVersion = (candidate: string, installed: string): boolean =>
  compareDellVersions(candidate, installed) > 0;

const segments = (v: string): string[] =>
  v
    .trim()
    .replace(/^v(?=\d)/i, '')
    .split(/[.\-_\s]+/)
    .filter((s) => s !== '');

const HEX = /^[0-9A-F]+$/i;
const HAS_HEX_LETTER = /[A-F]/i;

function compareSegment(x: string, y: string): -1 | 0 | 1 {
  if (
    x.length === y.length &&
    HEX.test(x) &&
    HEX.test(y) &&
    (HAS_HEX_LETTER.test(x) || HAS_HEX_LETTER.test(y))
  ) {
    return sign(Number.parseInt(x, 16) - Number.parseInt(y, 16));
  }
  const tx = x.match(/\d+|[^\d]+/g) ?? [];
  const ty = y.match(/\d+|[^\d]+/g) ?? [];
  const n = Math.max(tx.length, ty.length);
  for (let i = 0; i < n; i++) {
    const p = tx[i];
    const q = ty[i];
    // A segment with an extra suffix is the later build (`4301` < `4301A56`).
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const c = compareDigits(p, q);
      if (c !== 0) return c;
    } else if (pn !== qn) {
      return pn ? -1 : 1;
    } else {
      const c = p.toUpperCase().localeCompare(q.toUpperCase(), 'en');
      if (c !== 0) return sign(c);
    }
  }
  return 0;
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Numeric comparison of digit strings of any length (no precision loss on long builds). */
function compareDigits(p: string, q: string): -1 | 0 | 1 {
  const a = p.replace(/^0+(?=\d)/, '');
  const b = q.replace(/^0+(?=\d)/, '');
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
