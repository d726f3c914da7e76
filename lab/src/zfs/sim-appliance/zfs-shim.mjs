#!/usr/bin/env node
// The simulated modern appliance's `zfs`: what a lab sshd runs for a "modern" site (see modern-shim.ts).
// It wraps the real zfs-fuse CLI and adds what zfs-fuse 0.7 lacks and OpenZFS 2.x has, so the agent's
// modern path meets a real CLI over SSH: resumable receive (`receive -s`, `receive_resume_token`,
// `send -t`, `receive -A`) and the dry-run estimate (`send -nvP`). Everything else passes through.
// Plain JS (no build step): sshd starts it as a process of its own for each command.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeToken, encodeToken } from './resume-token.mjs';

const ZFS = process.env.RACKOPS_REAL_ZFS ?? '/usr/sbin/zfs';
const STATE = process.env.RACKOPS_SHIM_STATE ?? '/tmp/rackops-zfs-shim';
/** What a `send -t` stream starts with: stands for OpenZFS's resume BEGIN record. */
const RESUME_MAGIC = 'RKSIM-RESUME';

const args = process.argv.slice(2);
const die = (msg, code = 1) => {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
};
const statePath = (ds, ext) => join(STATE, `${ds.replaceAll('/', '%')}.${ext}`);

/** Runs the real CLI to completion: { code, stdout, stderr }. */
function real(argv) {
  return new Promise((resolve) => {
    const p = spawn(ZFS, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

function passThrough(argv) {
  const p = spawn(ZFS, argv, { stdio: 'inherit' });
  p.on('close', (code) => process.exit(code ?? 1));
}

/** The BEGIN record of a send stream (zfs-fuse and OpenZFS alike): guids and the snapshot's name. */
function beginRecord(head) {
  if (head.length < 312 || head.readUInt32LE(0) !== 0) return undefined;
  const name = head.subarray(56, 312);
  return {
    toguid: head.readBigUInt64LE(40).toString(),
    fromguid: head.readBigUInt64LE(48).toString(),
    toname: name.subarray(0, name.indexOf(0) < 0 ? 256 : name.indexOf(0)).toString(),
  };
}

async function firstBytes(path, n) {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

// --- send ----------------------------------------------------------------------------------------------

function parseSend(argv) {
  const o = {
    dry: false,
    verbose: false,
    parsable: false,
    from: undefined,
    token: undefined,
    snap: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-i' || a === '-t') {
      const v = argv[++i];
      if (a === '-i') o.from = v;
      else o.token = v;
    } else if (/^-[nvP]+$/.test(a)) {
      o.dry ||= a.includes('n');
      o.verbose ||= a.includes('v');
      o.parsable ||= a.includes('P');
    } else if (a.startsWith('-')) die(`invalid option '${a.slice(1)}'`, 2);
    else o.snap = a;
  }
  return o;
}

/** The real send's stream to `onData`; resolves with its exit code and stderr. */
function realSend(snap, from, onData) {
  return new Promise((resolve) => {
    const p = spawn(ZFS, ['send', ...(from ? ['-i', from] : []), snap], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.stdout.on('data', (d) => onData(d, p));
    p.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    process.stdout.on('error', () => p.kill('SIGKILL'));
  });
}

async function send(argv) {
  const o = parseSend(argv);
  if (o.token !== undefined) return sendResume(o.token);
  if (!o.snap) die('missing snapshot argument', 2);
  const header = (bytes) =>
    o.from ? `incremental\t${o.from}\t${o.snap}\t${bytes}\n` : `full\t${o.snap}\t${bytes}\n`;
  if (o.dry) {
    // The estimate is the real stream's size, counted: exact, as OpenZFS's own dry run is close to.
    let bytes = 0;
    const r = await realSend(o.snap, o.from, (d) => {
      bytes += d.length;
    });
    if (r.code !== 0) die(r.stderr.trim(), r.code);
    if (o.verbose)
      process.stdout.write(
        o.parsable ? `${header(bytes)}size\t${bytes}\n` : `total estimated size is ${bytes}\n`,
      );
    return;
  }
  let bytes = 0;
  let timer;
  if (o.verbose && o.parsable) {
    process.stderr.write(header(0));
    timer = setInterval(() => {
      const t = new Date().toISOString().slice(11, 19);
      process.stderr.write(`${t}\t${bytes}\t${o.snap}\n`);
    }, 1000);
  }
  const r = await realSend(o.snap, o.from, (d, p) => {
    bytes += d.length;
    if (!process.stdout.write(d)) {
      p.stdout.pause();
      process.stdout.once('drain', () => p.stdout.resume());
    }
  });
  clearInterval(timer);
  if (r.code !== 0) die(r.stderr.trim(), r.code);
}

/** `send -t`: the token's snapshot, sent again by the real CLI; the bytes the target already has are checked and skipped. */
async function sendResume(token) {
  const t = decodeToken(token);
  if (!t) die('cannot resume send: resume token is corrupt');
  const ds = t.toname.split('@')[0];
  const guids = await real(['get', '-Hp', '-r', '-d', '1', '-o', 'name,value', 'guid', ds]);
  const byGuid = new Map(
    guids.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .map(([n, g]) => [g, n]),
  );
  if (byGuid.get(t.toguid) !== t.toname)
    die(`cannot resume send: '${t.toname}' used in the initial send no longer exists`);
  const from = t.fromguid === '0' ? undefined : byGuid.get(t.fromguid);
  if (t.fromguid !== '0' && !from)
    die(`cannot resume send: incremental source ${t.fromguid} no longer exists`);
  const hash = createHash('sha256');
  let seen = 0;
  let checked = false;
  const r = await realSend(t.toname, from, (d, p) => {
    let chunk = d;
    if (seen < t.bytes) {
      const take = Math.min(chunk.length, t.bytes - seen);
      hash.update(chunk.subarray(0, take));
      seen += take;
      chunk = chunk.subarray(take);
      if (seen < t.bytes) return;
    }
    if (!checked) {
      checked = true;
      if (hash.digest('hex') !== t.sha256) {
        p.kill('SIGKILL');
        die('cannot resume send: the stream differs from the one the target received (checksum mismatch)');
      }
      process.stdout.write(`${RESUME_MAGIC} ${t.bytes}\n`);
    }
    if (chunk.length > 0 && !process.stdout.write(chunk)) {
      p.stdout.pause();
      process.stdout.once('drain', () => p.stdout.resume());
    }
  });
  if (r.code !== 0) die(r.stderr.trim(), r.code);
  if (!checked) die('cannot resume send: the stream is shorter than the resume point');
}

// --- receive --------------------------------------------------------------------------------------------

async function receive(argv) {
  const flags = argv.filter((a) => a.startsWith('-')).join('');
  const ds = argv.filter((a) => !a.startsWith('-')).at(-1);
  if (!ds) die('missing filesystem argument', 2);
  const partial = statePath(ds, 'partial');
  if (flags.includes('A')) {
    if (!existsSync(partial)) die(`'${ds}' does not have any resumable receive state to abort`);
    for (const ext of ['partial', 'token']) rmSync(statePath(ds, ext), { force: true });
    return;
  }
  const saving = flags.includes('s');
  if (!saving) {
    if (existsSync(partial))
      die(
        `cannot receive new filesystem stream: destination ${ds} contains partially-complete state from "zfs receive -s".`,
      );
    return passThrough(['receive', ...argv.filter((a) => a !== '-s')]);
  }
  const realArgs = ['receive', ...(flags.includes('F') ? ['-F'] : []), ds];
  const recv = spawn(ZFS, realArgs, { stdio: ['pipe', 'inherit', 'pipe'] });
  let stderr = '';
  recv.stderr.on('data', (d) => {
    stderr += d;
  });
  recv.stdin.on('error', () => {});
  let recvDone = false;
  const closed = new Promise((resolve) =>
    recv.on('close', (c) => {
      recvDone = true;
      resolve(c ?? 1);
    }),
  );
  const input = process.stdin;
  // The first bytes say whether this is a resume (the prefix is on disk) or a new stream.
  let head = Buffer.alloc(0);
  let out;
  let saved = 0;
  let prefix = 0;
  const write = (buf) => {
    saved += buf.length;
    out.write(buf);
    if (!recv.stdin.write(buf)) {
      input.pause();
      recv.stdin.once('drain', () => input.resume());
    }
  };
  const start = () => {
    const nl = head.indexOf(10);
    const line = head.subarray(0, nl < 0 ? Math.min(head.length, 64) : nl).toString('latin1');
    if (line.startsWith(RESUME_MAGIC)) {
      const at = Number(line.slice(RESUME_MAGIC.length + 1));
      if (!existsSync(partial) || statSync(partial).size !== at) {
        recv.kill('SIGKILL');
        die('cannot receive resume stream: destination does not hold the partial state this stream resumes');
      }
      prefix = at;
      // The saved prefix goes first, streamed from disk; the rest of the input waits for it.
      const rest = head.subarray(nl + 1);
      head = Buffer.alloc(0);
      input.pause();
      const before = createReadStream(partial);
      before.pipe(recv.stdin, { end: false });
      prefixDone = new Promise((resolve) =>
        before.on('end', () => {
          out = createWriteStream(partial, { flags: 'a' });
          // In order: what came with the header line, then anything that arrived while the prefix streamed.
          const pending = Buffer.concat([rest, head]);
          head = Buffer.alloc(0);
          if (pending.length > 0) write(pending);
          input.resume();
          resolve();
        }),
      );
      return;
    } else {
      if (existsSync(partial)) {
        recv.kill('SIGKILL');
        die(
          `cannot receive new stream: destination ${ds} contains partially-complete state from "zfs receive -s".`,
        );
      }
      out = createWriteStream(partial);
    }
    const first = head;
    head = Buffer.alloc(0);
    if (first.length > 0) write(first);
  };
  let prefixDone;
  input.on('data', (d) => {
    if (out) return write(d);
    head = Buffer.concat([head, d]);
    if (!prefixDone && (head.length >= 312 || head.indexOf(10) >= 0)) start();
  });
  await new Promise((resolve) => input.on('end', resolve).on('error', resolve).on('close', resolve));
  if (!out && !prefixDone && head.length > 0) start();
  await prefixDone;
  if (out && head.length > 0) write(head);
  if (!out) {
    // Not a byte came: nothing to save, and any partial state stays as it was.
    recv.kill('SIGKILL');
    die('cannot receive: failed to read from stream');
  }
  // A receive that exited before its input ended refused the stream: that is no cut transfer to resume.
  const refused = recvDone;
  recv.stdin.end();
  const code = await closed;
  await new Promise((resolve) => out.end(resolve));
  if (code === 0) {
    for (const ext of ['partial', 'token']) rmSync(statePath(ds, ext), { force: true });
    return;
  }
  // The stream was cut (or refused): what reached this side stays, and the token says where to go on.
  const total = prefix + saved;
  const begin = total >= 312 ? beginRecord(await firstBytes(partial, 312)) : undefined;
  if (!begin || refused) {
    for (const ext of ['partial', 'token']) rmSync(statePath(ds, ext), { force: true });
    die(stderr.trim(), code);
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(partial)) hash.update(chunk);
  const sha256 = hash.digest('hex');
  writeFileSync(statePath(ds, 'token'), `${encodeToken({ ...begin, bytes: total, sha256 })}\n`);
  die(`${stderr.trim()}\n(partially-complete state saved: ${total} bytes; resume with zfs send -t)`, code);
}

// --- get receive_resume_token, help, version ------------------------------------------------------------

async function get(argv) {
  const props = argv.filter((a) => !a.startsWith('-'));
  if (!props.includes('receive_resume_token')) return passThrough(['get', ...argv]);
  // Only the form RackOps reads: `get -H -o value receive_resume_token <dataset>`.
  const ds = props.at(-1);
  if (argv.join(' ') !== `-H -o value receive_resume_token ${ds}`)
    die('the simulated appliance reads receive_resume_token with -H -o value only', 2);
  const token = statePath(ds, 'token');
  if (existsSync(token)) return process.stdout.write(readFileSync(token));
  const exists = await real(['list', '-H', '-o', 'name', ds]);
  if (exists.code !== 0) die(exists.stderr.trim(), exists.code);
  process.stdout.write('-\n');
}

async function help() {
  const r = await real([]);
  const usage = r.stderr
    .replace(
      /^\tsend \[.*$/m,
      '\tsend [-DnPpvLec] [-i snapshot] <snapshot>\n\tsend [-nvPe] -t <receive_resume_token>',
    )
    .replace(/^\treceive \[-vnF\] <(.*)$/m, '\treceive [-vnsFu] <$1')
    .replace(/^\treceive \[-vnF\] -d (.*)$/m, '\treceive [-vnsFu] -d $1\n\treceive -A <filesystem|volume>');
  process.stderr.write(usage);
  process.exit(2);
}

switch (args[0]) {
  case 'send':
    await send(args.slice(1));
    break;
  case 'receive':
  case 'recv':
    await receive(args.slice(1));
    break;
  case 'get':
    await get(args.slice(1));
    break;
  case 'help':
    await help();
    break;
  case 'version':
    process.stdout.write('zfs-2.1.99-rackops-sim (zfs-fuse 0.7.0 underneath)\nzfs-kmod-2.1.99-rackops-sim\n');
    break;
  default:
    passThrough(args);
}
