// The stand-alone simulated appliance's storage: datasets are directories, snapshots are frozen copies of
// them, and one JSON file holds what ZFS keeps in its metadata (guids, txgs, properties, holds, clones).
// Plain JS (no build step): every `zfs` command is a process of its own, so the metadata file is the only
// shared state and every change to it happens under a lock.
import { randomBytes } from 'node:crypto';
import {
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export const ROOT = process.env.RACKOPS_SIM_ROOT ?? '/tmp/rackops-zfs-sim';
/** Partial receives and their resume tokens, one pair per dataset (the same layout as the zfs-fuse shim's). */
export const STATE = process.env.RACKOPS_SHIM_STATE ?? join(ROOT, 'state');
const META = join(ROOT, 'meta.json');
const LOCK = join(ROOT, 'meta.lock');

export class ZfsError extends Error {
  constructor(message, code = 1) {
    super(message);
    this.exitCode = code;
  }
}

export const mountpointOf = (ds) => join(ROOT, 'mnt', ds);
/** A snapshot's frozen tree: by dataset too, since a received snapshot keeps its guid (as in ZFS). */
export const snapDirOf = (ds, guid) => join(ROOT, 'snaps', ds.replaceAll('/', '%'), guid);
export const statePath = (ds, ext) => join(STATE, `${ds.replaceAll('/', '%')}.${ext}`);
export const newGuid = () => BigInt(`0x${randomBytes(8).toString('hex')}`).toString();

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function holderAlive() {
  let pid;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Not written yet (just taken) or never (killed right after taking it): the lock's age tells.
    try {
      return Date.now() - statSync(LOCK).mtimeMs < 5_000;
    } catch {
      return true; // released meanwhile: the next mkdir says
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function lock() {
  for (let i = 0; ; i++) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A command killed while holding it (a dropped session's orphan) leaves it: taken over once its holder
      // is gone (a receive landing a large tree holds it for as long as the copy takes).
      if (i % 20 === 19 && !holderAlive()) rmSync(LOCK, { recursive: true, force: true });
      sleepSync(Math.min(50, 2 + i));
    }
  }
}

export function readMeta() {
  if (!existsSync(META)) return { txg: 1, pools: {}, datasets: {} };
  return JSON.parse(readFileSync(META, 'utf8'));
}

/** Runs `fn(meta)` under the lock and saves what it changed; its result is returned. */
export function withMeta(fn) {
  mkdirSync(ROOT, { recursive: true });
  lock();
  try {
    const meta = readMeta();
    const result = fn(meta);
    const tmp = `${META}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(meta));
    renameSync(tmp, META);
    return result;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export function dataset(meta, name) {
  const d = Object.hasOwn(meta.datasets, name) ? meta.datasets[name] : undefined;
  if (!d) throw new ZfsError(`cannot open '${name}': dataset does not exist`);
  return d;
}

/** `pool/ds@tag` → { ds, tag, d, snap }, or a ZFS-worded error. */
export function snapshotOf(meta, full) {
  const at = full.indexOf('@');
  if (at < 0) throw new ZfsError(`'${full}' is not a snapshot`, 2);
  const ds = full.slice(0, at);
  const tag = full.slice(at + 1);
  const d = Object.hasOwn(meta.datasets, ds) ? meta.datasets[ds] : undefined;
  const snap = d && Object.hasOwn(d.snapshots, tag) ? d.snapshots[tag] : undefined;
  if (!snap) throw new ZfsError(`cannot open '${full}': dataset does not exist`);
  return { ds, tag, d, snap };
}

/** `pool/ds#name` → { ds, tag, d, snap } with the bookmark as `snap` (its guid and createtxg, as in ZFS). */
export function bookmarkOf(meta, full) {
  const at = full.indexOf('#');
  const ds = full.slice(0, at);
  const tag = full.slice(at + 1);
  const d = Object.hasOwn(meta.datasets, ds) ? meta.datasets[ds] : undefined;
  const snap = d?.bookmarks && Object.hasOwn(d.bookmarks, tag) ? d.bookmarks[tag] : undefined;
  if (at < 0 || !snap) throw new ZfsError(`cannot open '${full}': dataset does not exist`);
  return { ds, tag, d, snap };
}

export const snapshotsByTxg = (d) =>
  Object.entries(d.snapshots).sort((a, b) => a[1].createtxg - b[1].createtxg);

export const childrenOf = (meta, name) => Object.keys(meta.datasets).filter((n) => n.startsWith(`${name}/`));

/**
 * Every entry of a tree as [relative path, lstat], sorted, directories before what they hold; `skip` are
 * relative paths not descended into (a child dataset's mountpoint inside its parent's).
 */
export function walk(dir, skip = new Set()) {
  const out = [];
  const visit = (rel) => {
    const names = readdirSync(rel ? join(dir, rel) : dir).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip.has(r)) continue;
      const st = lstatSync(join(dir, r));
      out.push([r, st]);
      if (st.isDirectory()) visit(r);
    }
  };
  if (existsSync(dir)) visit('');
  return out;
}

/** The child datasets' mountpoints, relative to `name`'s. */
export function childSkips(meta, name) {
  return new Set(childrenOf(meta, name).map((c) => c.slice(name.length + 1)));
}

/**
 * Copies a tree. `link`: hard links (between frozen snapshot copies only: nothing writes into those); else a
 * real copy, since a live file is written in place and must not change its snapshot.
 */
export function copyTree(from, to, { link = false, skip = new Set() } = {}) {
  mkdirSync(to, { recursive: true });
  for (const [rel, st] of walk(from, skip)) {
    const dst = join(to, rel);
    if (st.isDirectory()) mkdirSync(dst, { recursive: true, mode: st.mode & 0o7777 });
    else if (st.isFile()) {
      if (link) linkSync(join(from, rel), dst);
      else copyFileSync(join(from, rel), dst, constants.COPYFILE_FICLONE);
    }
  }
}

/** Empties a live mountpoint, keeping its child datasets' mountpoints. */
export function clearTree(dir, skip = new Set()) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const nested = [...skip].filter((s) => s.startsWith(`${name}/`));
    if (nested.length > 0) {
      clearTree(join(dir, name), new Set(nested.map((s) => s.slice(name.length + 1))));
      continue;
    }
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** Bytes a tree references: file sizes plus a 512-byte record per entry, as ZFS charges metadata. */
export function treeBytes(dir, skip) {
  let n = 512;
  for (const [, st] of walk(dir, skip)) n += 512 + (st.isFile() ? st.size : 0);
  return n;
}
