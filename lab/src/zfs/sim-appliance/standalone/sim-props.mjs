// Property values of the stand-alone sim: what `zfs get` and `zfs list` print, computed from the trees.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  childrenOf,
  childSkips,
  mountpointOf,
  ROOT,
  snapDirOf,
  STATE,
  statePath,
  treeBytes,
  ZfsError,
} from './sim-store.mjs';

const UNITS = 'BKMGTPE';
export function human(n) {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v}B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)}${UNITS[u]}`;
}

export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)([BKMGTPE])?B?$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * 1024 ** UNITS.indexOf((m[2] ?? 'B').toUpperCase()));
}

/** A dataset's own `referenced`, plus its descendants' (snapshots share their blocks with it: no charge). */
function treeUsed(meta, name) {
  let n = treeBytes(mountpointOf(name), childSkips(meta, name));
  for (const c of childrenOf(meta, name)) {
    if (!c.slice(name.length + 1).includes('/')) n += treeUsed(meta, c);
  }
  return n;
}

/**
 * The bytes of receives still in flight into `name` or below it (spooled, or kept for a resume). A real
 * receive writes into the pool as the stream arrives (the new dataset, or the hidden `%recv` clone of an
 * increment), so its parent's `used` grows while it runs: the agent's direct transport counts progress so.
 * Only while it arrives (a `.receiving` marker beside it): once applied, the same bytes are in the tree.
 */
function receivingBytes(name) {
  let n = 0;
  for (const [dir, suffix] of [
    [join(ROOT, 'incoming'), /\.\d+$/],
    [STATE, /\.partial$/],
  ]) {
    let files = [];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of files) {
      if (!suffix.test(f) || !files.includes(`${f}.receiving`)) continue;
      const ds = f.replace(suffix, '').replaceAll('%', '/');
      if (ds !== name && !ds.startsWith(`${name}/`)) continue;
      try {
        n += statSync(join(dir, f)).size;
      } catch {
        // applied and removed meanwhile: its bytes are in the tree now
      }
    }
  }
  return n;
}

export function usedOf(meta, name) {
  return treeUsed(meta, name) + receivingBytes(name);
}

export function availableOf(meta, name) {
  const pool = name.split('/')[0];
  let avail = (meta.pools[pool]?.size ?? 0) - usedOf(meta, pool);
  const parts = name.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const anc = parts.slice(0, i).join('/');
    const q = meta.datasets[anc]?.props.quota;
    if (q !== undefined) avail = Math.min(avail, Number(q) - usedOf(meta, anc));
  }
  return Math.max(0, avail);
}

const NUMERIC = new Set(['used', 'available', 'avail', 'referenced', 'refer', 'quota']);

/**
 * [value, source] of one property of a dataset (`snap` undefined) or of one of its snapshots.
 * `modern`: the properties OpenZFS 2.x has and zfs-fuse lacks are answered.
 */
export function propertyOf(meta, name, prop, { snap, modern, parsable }) {
  const d = meta.datasets[name.split('@')[0]];
  const target = snap ?? d;
  const fmt = (n) => (parsable ? String(n) : human(n));
  if (prop.includes(':')) {
    const v = target.user?.[prop];
    return v === undefined ? ['-', '-'] : [v, 'local'];
  }
  switch (prop) {
    case 'name':
      return [name, '-'];
    case 'type':
      return [snap ? 'snapshot' : 'filesystem', '-'];
    case 'guid':
      return [target.guid, '-'];
    case 'createtxg':
      return [String(target.createtxg), '-'];
    case 'creation':
      return [String(target.created ?? 0), '-'];
    case 'used':
      return [fmt(snap ? 0 : usedOf(meta, name)), '-'];
    case 'available':
    case 'avail':
      return [snap ? '-' : fmt(availableOf(meta, name)), '-'];
    case 'referenced':
    case 'refer':
      return [
        fmt(
          snap
            ? treeBytes(snapDirOf(name.split('@')[0], snap.guid))
            : treeBytes(mountpointOf(name), childSkips(meta, name)),
        ),
        '-',
      ];
    case 'quota':
      if (snap) return ['-', '-'];
      return d.props.quota === undefined
        ? [parsable ? '0' : 'none', 'default']
        : [fmt(Number(d.props.quota)), 'local'];
    case 'mountpoint':
      return [snap ? '-' : mountpointOf(name), snap ? '-' : 'default'];
    case 'readonly':
      if (snap) return ['on', '-'];
      return d.props.readonly === undefined ? ['off', 'default'] : [d.props.readonly, 'local'];
    case 'origin':
      return [snap ? '-' : (d.origin ?? '-'), '-'];
    case 'userrefs':
      return snap ? [String(snap.holds.length), '-'] : ['-', '-'];
    case 'receive_resume_token': {
      if (!modern) break;
      if (snap) return ['-', '-'];
      const t = statePath(name, 'token');
      return [existsSync(t) ? readFileSync(t, 'utf8').trim() : '-', '-'];
    }
    default:
      break;
  }
  throw new ZfsError(`bad property list: invalid property '${prop}'`, 2);
}

export const isNumeric = (p) => NUMERIC.has(p);
