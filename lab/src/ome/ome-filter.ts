import type { HostState } from '../world/types';
import { deviceIdOf } from './ome-devices';

/**
 * The `$filter` expressions OME clients use on Devices: `DeviceServiceTag eq 'ABC1234'`,
 * `Id eq 10100`, `Type eq 1000`, `DeviceName eq 'esx01'`, joined with `and`. Anything else is refused
 * (undefined) rather than silently ignored, so a client never mistakes an unfiltered list for a match.
 */
export function parseDeviceFilter(expr: string): ((h: HostState) => boolean) | undefined {
  const clauses = expr.split(/\s+and\s+/i);
  const tests: Array<(h: HostState) => boolean> = [];
  for (const clause of clauses) {
    const m = /^\s*(\w+)\s+eq\s+(?:'([^']*)'|(\d+))\s*$/i.exec(clause);
    if (!m) return undefined;
    const [, field, quoted, num] = m;
    const value = quoted ?? num ?? '';
    switch (field) {
      case 'DeviceServiceTag':
      case 'Identifier':
        tests.push((h) => h.id === value);
        break;
      case 'DeviceName':
        tests.push((h) => h.name === value);
        break;
      case 'Id':
        tests.push((h) => String(deviceIdOf(h)) === value);
        break;
      case 'Type':
        tests.push(() => value === '1000');
        break;
      default:
        return undefined;
    }
  }
  return (h) => tests.every((t) => t(h));
}
