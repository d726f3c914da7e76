// The stand-alone sim's send stream: self-describing and deterministic (the same snapshot pair always gives
// the same bytes, so a resumed send can skip what the target already holds and prove it by checksum).
//   RKSIM1 {"kind","toname","toguid","fromguid"}\n            the BEGIN record: the receiver checks its base
//   D {"p","mode"}\n                                             a directory
//   F {"p","mode","size"}\n<size bytes>                          a whole file
//   P {"p","size","blocks":[[off,len],…]}\n<the blocks' bytes>    changed 128 KiB records of a file (incremental)
//   R {"p"}\n                                                     removed since the base (incremental)
//   END {"sha256"}\n                                              checksum of every byte before this line
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { walk } from './sim-store.mjs';

export const MAGIC = 'RKSIM1 ';
export const RESUME_MAGIC = 'RKSIM-RESUME ';
const RECORD = 128 * 1024;
const CHUNK = 1024 * 1024;

function* fileChunks(path, off, len) {
  const fd = openSync(path, 'r');
  try {
    let at = off;
    const end = off + len;
    while (at < end) {
      const buf = Buffer.alloc(Math.min(CHUNK, end - at));
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n <= 0) throw new Error(`${path} shrank while it was sent`);
      yield buf.subarray(0, n);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

function readAt(fd, off, len) {
  const buf = Buffer.alloc(len);
  const n = len > 0 ? readSync(fd, buf, 0, len, off) : 0;
  return buf.subarray(0, n);
}

/** The 128 KiB records of `to` that differ from `from` (all of `to` past `from`'s end). */
function changedBlocks(fromPath, toPath, toSize) {
  const a = openSync(fromPath, 'r');
  const b = openSync(toPath, 'r');
  const blocks = [];
  try {
    for (let off = 0; off < toSize; off += RECORD) {
      const len = Math.min(RECORD, toSize - off);
      if (!readAt(a, off, len).equals(readAt(b, off, len))) {
        const last = blocks.at(-1);
        if (last && last[0] + last[1] === off) last[1] += len;
        else blocks.push([off, len]);
      }
    }
  } finally {
    closeSync(a);
    closeSync(b);
  }
  return blocks;
}

const line = (tag, obj) => Buffer.from(`${tag} ${JSON.stringify(obj)}\n`);

/**
 * The stream of snapshot tree `toDir` (incremental from `fromDir` when given), as Buffers, hashed as they go.
 */
export function* sendStream({ kind, toname, toguid, fromguid, fromname, toDir, fromDir }) {
  const hash = createHash('sha256');
  const emit = function* (buf) {
    hash.update(buf);
    yield buf;
  };
  yield* emit(Buffer.from(`${MAGIC}${JSON.stringify({ kind, toname, toguid, fromguid, fromname })}\n`));
  const before = new Map(fromDir ? walk(fromDir) : []);
  const after = walk(toDir);
  const now = new Set(after.map(([p]) => p));
  // Removals first, deepest first: a path that changed type is removed, then sent again.
  const gone = [...before.entries()]
    .filter(([p, st]) => {
      if (!now.has(p)) return true;
      const next = after.find(([q]) => q === p)?.[1];
      return next !== undefined && next.isDirectory() !== st.isDirectory();
    })
    .map(([p]) => p)
    .reverse();
  for (const p of gone) yield* emit(line('R', { p }));
  for (const [p, st] of after) {
    const mode = st.mode & 0o7777;
    const old = gone.includes(p) ? undefined : before.get(p);
    if (st.isDirectory()) {
      if (!old) yield* emit(line('D', { p, mode }));
      continue;
    }
    if (!st.isFile()) continue;
    const path = join(toDir, p);
    if (old?.isFile() && fromDir) {
      if (old.ino === st.ino && old.dev === st.dev) continue; // the same frozen copy: unchanged
      const blocks = changedBlocks(join(fromDir, p), path, st.size);
      if (blocks.length === 0 && old.size === st.size) continue;
      yield* emit(line('P', { p, size: st.size, blocks }));
      for (const [off, len] of blocks) for (const c of fileChunks(path, off, len)) yield* emit(c);
      continue;
    }
    yield* emit(line('F', { p, mode, size: st.size }));
    for (const c of fileChunks(path, 0, st.size)) yield* emit(c);
  }
  yield Buffer.from(`END ${JSON.stringify({ sha256: hash.digest('hex') })}\n`);
}

/** The BEGIN record of a saved stream, or undefined when it is not one of ours (or not whole yet). */
export function beginOf(head) {
  const nl = head.indexOf(10);
  if (nl < 0 || !head.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) return undefined;
  try {
    return JSON.parse(head.subarray(MAGIC.length, nl).toString());
  } catch {
    return undefined;
  }
}
