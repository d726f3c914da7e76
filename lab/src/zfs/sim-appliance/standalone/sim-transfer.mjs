// `zfs send` and `zfs receive` of the stand-alone sim, with OpenZFS 2.x's resumable receive (`-s`,
// `receive_resume_token`, `send -t`, `receive -A`) and dry-run estimate (`send -nvP`) on the modern flavour.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { decodeToken, encodeToken } from '../resume-token.mjs';
import { applyStream, IncompleteStream } from './sim-apply.mjs';
import { beginOf, RESUME_MAGIC, sendStream } from './sim-stream.mjs';
import {
  bookmarkOf,
  childSkips,
  clearTree,
  copyTree,
  dataset,
  mountpointOf,
  newGuid,
  readMeta,
  ROOT,
  snapDirOf,
  snapshotOf,
  snapshotsByTxg,
  STATE,
  statePath,
  withMeta,
  ZfsError,
} from './sim-store.mjs';

async function write(buf) {
  if (!process.stdout.write(buf)) await once(process.stdout, 'drain');
}

const human = (n) => {
  const units = 'BKMGTPE';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v}B` : `${v.toFixed(2)}${units[u]}`;
};

/** What `send` of `snap` (incremental from `from`) reads: the snapshots' frozen trees and guids. */
function resolve(snapName, fromArg) {
  const meta = readMeta();
  const to = snapshotOf(meta, snapName);
  let from;
  let fromIsBookmark = false;
  if (fromArg !== undefined) {
    const name = /^[@#]/.test(fromArg) ? `${to.ds}${fromArg}` : fromArg;
    // A bookmark keeps the base's guid and, here, its frozen tree: the sender needs no snapshot to diff from.
    fromIsBookmark = name.includes('#');
    from = fromIsBookmark ? bookmarkOf(meta, name) : snapshotOf(meta, name);
    if (from.ds !== to.ds)
      throw new ZfsError(`cannot send '${snapName}': incremental source must be in same filesystem`);
    if (from.snap.createtxg >= to.snap.createtxg)
      throw new ZfsError(`cannot send '${snapName}': incremental source (${name}) is not earlier than it`);
  }
  return {
    kind: from ? 'incremental' : 'full',
    toname: `${to.ds}@${to.tag}`,
    toguid: to.snap.guid,
    fromguid: from ? from.snap.guid : '0',
    fromname: from ? `${from.ds}${fromIsBookmark ? '#' : '@'}${from.tag}` : undefined,
    toDir: snapDirOf(to.ds, to.snap.guid),
    fromDir: from ? snapDirOf(from.ds, from.snap.guid) : undefined,
  };
}

const sizeOf = (s) => {
  let n = 0;
  for (const b of sendStream(s)) n += b.length;
  return n;
};

export async function send(argv, modern) {
  const o = { dry: false, verbose: false, parsable: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-i' || (modern && a === '-t')) o[a === '-i' ? 'from' : 'token'] = argv[++i];
    else if (/^-[A-Za-z]+$/.test(a)) {
      for (const f of a.slice(1)) {
        if (!(modern ? 'DLPRbcehnpsvw' : 'Dp').includes(f)) throw new ZfsError(`invalid option '${f}'`, 2);
      }
      if (a.includes('R'))
        throw new ZfsError('the simulated appliance sends one dataset at a time (no -R)', 2);
      o.dry ||= a.includes('n');
      o.verbose ||= a.includes('v');
      o.parsable ||= a.includes('P');
    } else o.snap = a;
  }
  if (o.token !== undefined) return sendResume(o.token);
  if (!o.snap) throw new ZfsError('missing snapshot argument', 2);
  const s = resolve(o.snap, o.from);
  const header = (bytes) =>
    s.fromname ? `incremental\t${s.fromname}\t${s.toname}\t${bytes}\n` : `full\t${s.toname}\t${bytes}\n`;
  if (o.dry) {
    const bytes = sizeOf(s);
    if (o.verbose)
      process.stdout.write(
        o.parsable
          ? `${header(bytes)}size\t${bytes}\n`
          : `${s.kind} send of ${s.toname} estimated size is ${human(bytes)}\ntotal estimated size is ${human(bytes)}\n`,
      );
    return;
  }
  let sent = 0;
  let timer;
  if (o.verbose && o.parsable) {
    const est = sizeOf(s);
    process.stderr.write(`${header(est)}size\t${est}\n`);
    timer = setInterval(() => {
      process.stderr.write(`${new Date().toISOString().slice(11, 19)}\t${sent}\t${s.toname}\n`);
    }, 1000);
  }
  for (const buf of sendStream(s)) {
    sent += buf.length;
    await write(buf);
  }
  clearInterval(timer);
}

/** `send -t`: the token's stream again; the bytes the target holds are checked by checksum and skipped. */
async function sendResume(token) {
  const t = decodeToken(token);
  if (!t) throw new ZfsError('cannot resume send: resume token is corrupt');
  let s;
  try {
    s = resolve(t.toname, t.fromname);
  } catch {
    throw new ZfsError(`cannot resume send: '${t.toname}' used in the initial send no longer exists`);
  }
  if (s.toguid !== t.toguid || s.fromguid !== t.fromguid)
    throw new ZfsError(`cannot resume send: '${t.toname}' is not the snapshot the initial send sent`);
  const hash = createHash('sha256');
  let seen = 0;
  let checked = false;
  for (const buf of sendStream(s)) {
    let chunk = buf;
    if (seen < t.bytes) {
      const take = Math.min(chunk.length, t.bytes - seen);
      hash.update(chunk.subarray(0, take));
      seen += take;
      chunk = chunk.subarray(take);
      if (seen < t.bytes) continue;
    }
    if (!checked) {
      checked = true;
      if (hash.digest('hex') !== t.sha256)
        throw new ZfsError(
          'cannot resume send: the stream differs from the one the target received (checksum mismatch)',
        );
      await write(`${RESUME_MAGIC}${JSON.stringify({ toguid: t.toguid, bytes: t.bytes })}\n`);
    }
    if (chunk.length > 0) await write(chunk);
  }
  if (!checked) throw new ZfsError('cannot resume send: the stream is shorter than the resume point');
}

/** Refuses a stream whose BEGIN record does not fit the target, before its data is taken. */
function checkBegin(ds, begin, force) {
  const meta = readMeta();
  const d = Object.hasOwn(meta.datasets, ds) ? meta.datasets[ds] : undefined;
  if (begin.kind === 'full') {
    if (d)
      throw new ZfsError(
        `cannot receive new filesystem stream: destination '${ds}' exists\nmust specify -F to overwrite it`,
      );
    const parent = ds.split('/').slice(0, -1).join('/');
    if (!parent || !Object.hasOwn(meta.datasets, parent))
      throw new ZfsError(`cannot receive new filesystem stream: parent of '${ds}' does not exist`);
    return undefined;
  }
  if (!d) throw new ZfsError(`cannot receive incremental stream: destination '${ds}' does not exist`);
  const snaps = snapshotsByTxg(d);
  if (snaps.some(([, s]) => s.guid === begin.toguid))
    throw new ZfsError(
      `cannot receive incremental stream: destination snapshot ${begin.toname.split('@')[1]} already exists`,
    );
  const newest = snaps.at(-1)?.[1];
  if (!newest || newest.guid !== begin.fromguid) {
    const has = snaps.some(([, s]) => s.guid === begin.fromguid);
    throw new ZfsError(
      has && !force
        ? `cannot receive incremental stream: destination ${ds} has been modified\nsince most recent snapshot`
        : `cannot receive incremental stream: most recent snapshot of ${ds} does not\nmatch incremental source`,
    );
  }
  return snapDirOf(ds, newest.guid);
}

export async function receive(argv, modern) {
  const flags = argv
    .filter((a) => a.startsWith('-'))
    .join('')
    .replaceAll('-', '');
  for (const f of flags)
    if (!(modern ? 'vnsFuA' : 'vnF').includes(f)) throw new ZfsError(`invalid option '${f}'`, 2);
  const ds = argv.filter((a) => !a.startsWith('-')).at(-1);
  if (!ds) throw new ZfsError('missing filesystem argument', 2);
  mkdirSync(STATE, { recursive: true });
  const partial = statePath(ds, 'partial');
  const tokenFile = statePath(ds, 'token');
  const dropState = () => {
    for (const p of [partial, tokenFile]) rmSync(p, { force: true });
  };
  if (flags.includes('A')) {
    if (!existsSync(partial))
      throw new ZfsError(`'${ds}' does not have any resumable receive state to abort`);
    return dropState();
  }
  const saving = flags.includes('s');
  const force = flags.includes('F');
  // A stream without -s is spooled apart from the resumable state: nothing of it stays after a failure.
  mkdirSync(join(ROOT, 'incoming'), { recursive: true });
  const file = saving ? partial : join(ROOT, 'incoming', `${ds.replaceAll('/', '%')}.${process.pid}`);
  let fd;
  let head = Buffer.alloc(0);
  let resumed = false;
  const startWith = (buf) => {
    const nl = buf.indexOf(10);
    const first = buf.subarray(0, nl < 0 ? buf.length : nl).toString('latin1');
    if (first.startsWith(RESUME_MAGIC)) {
      const r = JSON.parse(first.slice(RESUME_MAGIC.length));
      const t = existsSync(tokenFile) ? decodeToken(readFileSync(tokenFile, 'utf8').trim()) : undefined;
      if (
        !saving ||
        !t ||
        !existsSync(partial) ||
        statSync(partial).size !== r.bytes ||
        t.toguid !== r.toguid
      )
        throw new ZfsError(
          'cannot receive resume stream: destination does not hold the partial state this stream resumes',
        );
      resumed = true;
      fd = openSync(partial, 'a');
      return buf.subarray(nl + 1);
    }
    if (existsSync(partial))
      throw new ZfsError(
        `cannot receive new stream: destination ${ds} contains partially-complete state from "zfs receive -s".`,
      );
    const begin = beginOf(buf);
    if (!begin) throw new ZfsError('invalid stream (bad magic number)');
    checkBegin(ds, begin, force);
    fd = openSync(file, 'w');
    return buf;
  };
  // While the stream arrives its bytes count in the target's `used` (sim-props.mjs), as a real receive's do;
  // not after: the apply below writes the same bytes into the tree.
  const receiving = `${file}.receiving`;
  writeFileSync(receiving, '');
  try {
    for await (const chunk of process.stdin) {
      if (fd === undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.indexOf(10) < 0 && head.length < 65536) continue;
        const rest = startWith(head);
        head = Buffer.alloc(0);
        writeSync(fd, rest);
      } else writeSync(fd, chunk);
    }
  } catch (err) {
    if (err instanceof ZfsError) throw err;
    // a dropped session: what arrived is on disk, and is handled below like any cut stream
  } finally {
    rmSync(receiving, { force: true });
  }
  if (fd === undefined) {
    if (head.length === 0) throw new ZfsError('cannot receive: failed to read from stream');
    const rest = startWith(head);
    writeSync(fd, rest);
  }
  closeSync(fd);
  return commit({ ds, file, saving, force, resumed, dropState, tokenFile });
}

async function commit({ ds, file, saving, force, dropState, tokenFile }) {
  const begin = beginOf(readFileSync(file).subarray(0, 65536));
  if (!begin) {
    rmSync(file, { force: true });
    throw new ZfsError('invalid stream (bad magic number)');
  }
  const toDir = snapDirOf(ds, begin.toguid);
  let baseDir;
  try {
    baseDir = checkBegin(ds, begin, force);
    applyStream(file, { toDir, baseDir });
  } catch (err) {
    rmSync(toDir, { recursive: true, force: true });
    if (!(err instanceof IncompleteStream)) {
      if (saving) dropState();
      else rmSync(file, { force: true });
      throw err;
    }
    const what = begin.kind === 'full' ? 'new filesystem' : 'incremental';
    if (!saving) {
      rmSync(file, { force: true });
      throw new ZfsError(`cannot receive ${what} stream: checksum mismatch or incomplete stream`);
    }
    const hash = createHash('sha256');
    for await (const c of createReadStream(file)) hash.update(c);
    const bytes = statSync(file).size;
    const token = encodeToken({ ...begin, bytes, sha256: hash.digest('hex') });
    writeFileSync(tokenFile, `${token}\n`);
    throw new ZfsError(
      `cannot receive ${what} stream: checksum mismatch or incomplete stream.\nPartially received snapshot is saved.\nA resuming stream can be generated on the sending system by running:\n    zfs send -t ${token}`,
    );
  }
  withMeta((meta) => {
    meta.txg += 1;
    const tag = begin.toname.split('@')[1];
    if (begin.kind === 'full') {
      meta.datasets[ds] = { guid: newGuid(), createtxg: meta.txg, props: {}, user: {}, snapshots: {} };
    }
    const d = dataset(meta, ds);
    d.snapshots[tag] = { guid: begin.toguid, createtxg: meta.txg, holds: [] };
    const mnt = mountpointOf(ds);
    const skip = childSkips(meta, ds);
    clearTree(mnt, skip);
    copyTree(toDir, mnt);
  });
  if (saving) dropState();
  else rmSync(file, { force: true });
}
