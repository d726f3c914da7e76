// Applies a whole saved send stream (sim-stream.mjs) to a new snapshot directory: a receive lands only when
// its END record and checksum are there, as a ZFS receive commits only a complete stream.
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { copyTree, ZfsError } from './sim-store.mjs';
import { MAGIC } from './sim-stream.mjs';

export class IncompleteStream extends Error {}

class Reader {
  constructor(path) {
    this.fd = openSync(path, 'r');
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.hash = createHash('sha256');
  }
  fill(n) {
    while (this.buf.length < n) {
      const chunk = Buffer.alloc(1024 * 1024);
      const got = readSync(this.fd, chunk, 0, chunk.length, this.pos);
      if (got <= 0) return false;
      this.pos += got;
      this.buf = Buffer.concat([this.buf, chunk.subarray(0, got)]);
    }
    return true;
  }
  line() {
    let nl = this.buf.indexOf(10);
    while (nl < 0) {
      const had = this.buf.length;
      if (!this.fill(had + 1)) throw new IncompleteStream('the stream ends inside a record');
      nl = this.buf.indexOf(10);
      if (nl < 0 && this.buf.length > 1024 * 1024) throw new ZfsError('invalid stream (bad record)');
    }
    const text = this.buf.subarray(0, nl + 1);
    this.buf = this.buf.subarray(nl + 1);
    return text;
  }
  /** `len` bytes to `fd` at `off`, hashed. */
  copyTo(fd, off, len) {
    let left = len;
    let at = off;
    while (left > 0) {
      if (this.buf.length === 0 && !this.fill(1)) throw new IncompleteStream('the stream ends inside a file');
      const take = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.hash.update(take);
      writeSync(fd, take, 0, take.length, at);
      at += take.length;
      left -= take.length;
      this.buf = this.buf.subarray(take.length);
    }
  }
  close() {
    closeSync(this.fd);
  }
}

const parse = (text, tag) => {
  try {
    return JSON.parse(text.subarray(tag.length + 1).toString());
  } catch {
    throw new ZfsError('invalid stream (bad record)');
  }
};

/** Builds `toDir` from `baseDir` (incremental) and the stream at `file`; returns the BEGIN record. */
export function applyStream(file, { toDir, baseDir }) {
  const r = new Reader(file);
  try {
    const head = r.line();
    r.hash.update(head);
    if (!head.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC)))
      throw new ZfsError('invalid stream (bad magic number)');
    const begin = parse(head, MAGIC.trim());
    rmSync(toDir, { recursive: true, force: true });
    if (baseDir) copyTree(baseDir, toDir, { link: true });
    else mkdirSync(toDir, { recursive: true });
    for (;;) {
      const text = r.line();
      const tag = text.subarray(0, text.indexOf(32)).toString();
      if (tag === 'END') {
        if (parse(text, tag).sha256 !== r.hash.digest('hex'))
          throw new ZfsError('invalid stream (checksum mismatch)');
        return begin;
      }
      r.hash.update(text);
      const rec = parse(text, tag);
      if (typeof rec.p !== 'string' || rec.p.split('/').some((s) => s === '..' || s === '' || s === '.'))
        throw new ZfsError('invalid stream (bad path)');
      const path = join(toDir, rec.p);
      if (tag === 'R') rmSync(path, { recursive: true, force: true });
      else if (tag === 'D') mkdirSync(path, { recursive: true, mode: rec.mode });
      else if (tag === 'F') {
        rmSync(path, { force: true });
        mkdirSync(dirname(path), { recursive: true });
        const fd = openSync(path, 'w', rec.mode);
        try {
          r.copyTo(fd, 0, rec.size);
        } finally {
          closeSync(fd);
        }
      } else if (tag === 'P') {
        // The base's frozen copy is hard-linked here: write a private copy, never the base's blocks.
        const tmp = `${path}.rksim-recv`;
        copyFileSync(path, tmp);
        renameSync(tmp, path);
        const fd = openSync(path, 'r+');
        try {
          for (const [off, len] of rec.blocks) r.copyTo(fd, off, len);
          ftruncateSync(fd, rec.size);
        } finally {
          closeSync(fd);
        }
      } else throw new ZfsError(`invalid stream (unknown record ${tag.slice(0, 10)})`);
    }
  } finally {
    r.close();
  }
}
