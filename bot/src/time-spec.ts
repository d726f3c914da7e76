import { ValidationError } from '@rackops/core/util/errors';

/**
 * When `at <time>` means: an ISO time with a zone (`2026-12-01T02:00Z`), `HH:MM` in UTC (the next such time),
 * or a delay (`+30m`, `+2h`). Zone-less dates are refused: an operator's 02:00 and the server's may differ.
 */
export function parseAt(spec: string, now: Date): string {
  const rel = spec.match(/^\+(\d{1,4})([mh])$/i);
  if (rel?.[1] && rel[2]) {
    const ms = Number(rel[1]) * (rel[2].toLowerCase() === 'h' ? 3_600_000 : 60_000);
    return new Date(now.getTime() + ms).toISOString();
  }
  const hm = spec.match(/^([01]?\d|2[0-3]):([0-5]\d)$/);
  if (hm?.[1] && hm[2]) {
    const at = new Date(now);
    at.setUTCHours(Number(hm[1]), Number(hm[2]), 0, 0);
    if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1);
    return at.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(spec)) {
    const at = new Date(spec);
    if (!Number.isNaN(at.getTime())) return at.toISOString();
  }
  throw new ValidationError(
    `"${spec}" is not a time I understand: use 2026-12-01T02:00Z, 02:00 (UTC), or +30m / +2h`,
  );
}
