import type { ProfileDiff } from './profile-diff';

/** The diff with at most `limit` attribute entries (whole components first), saying whether it was cut. */
export function capDiff(d: ProfileDiff, limit: number): ProfileDiff & { truncated: boolean } {
  const components: ProfileDiff['components'] = [];
  let n = 0;
  for (const c of d.components) {
    const size = c.changed.length + c.added.length + c.removed.length;
    if (n + size > limit) {
      const room = limit - n;
      if (room > 0) {
        const changed = c.changed.slice(0, room);
        const added = c.added.slice(0, room - changed.length);
        const removed = c.removed.slice(0, room - changed.length - added.length);
        components.push({ fqdd: c.fqdd, changed, added, removed });
      }
      return { components, total: d.total, truncated: true };
    }
    components.push(c);
    n += size;
  }
  return { components, total: d.total, truncated: false };
}
