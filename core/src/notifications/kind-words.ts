import type { NotificationKind } from '../ports/notifier.port';
import { NOTIFICATION_KINDS } from './events';

/**
 * Event kinds as people type them: `all`, the kind's name, or a job kind without its `job_` prefix (`paused`).
 * Anything unknown makes the whole list invalid: a half-applied setting is worse than a clear error.
 */
export function parseKindWords(
  text: string,
): { ok: true; kinds: NotificationKind[] } | { ok: false; unknown: string[] } {
  const words = text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const kinds = new Set<NotificationKind>();
  const unknown: string[] = [];
  for (const w of words) {
    if (w === 'all') {
      for (const k of NOTIFICATION_KINDS) kinds.add(k);
      continue;
    }
    const hit = NOTIFICATION_KINDS.find((k) => k === w || k === `job_${w}` || k === w.replace(/-/g, '_'));
    if (hit) kinds.add(hit);
    else unknown.push(w);
  }
  if (unknown.length || !kinds.size) return { ok: false, unknown };
  return { ok: true, kinds: NOTIFICATION_KINDS.filter((k) => kinds.has(k)) };
}
