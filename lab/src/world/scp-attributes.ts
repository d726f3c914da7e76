import type { HostState } from './types';

type AttrMap = Map<string, Map<string, string>>;

/** Writes `changes` (FQDD -> name -> value) into `into`. */
export function mergeAttributes(into: AttrMap, changes: AttrMap): void {
  for (const [fqdd, attrs] of changes) {
    const dst = into.get(fqdd) ?? new Map<string, string>();
    for (const [name, value] of attrs) dst.set(name, value);
    into.set(fqdd, dst);
  }
}

/** BIOS settings imported without a reboot take effect during the next POST, as on a real server. */
export function applyPendingScp(host: HostState): void {
  if (host.scpPending.size === 0) return;
  mergeAttributes(host.scpAttributes, host.scpPending);
  host.scpPending.clear();
}
