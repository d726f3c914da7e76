#!/usr/bin/env node
// The stand-alone simulated appliance's `zfs` (and `zpool`, as RACKOPS_SIM_CMD=zpool): no zfs-fuse, no
// kernel module; datasets are directories under RACKOPS_SIM_ROOT (sim-store.mjs). RACKOPS_SIM_FLAVOR says
// which CLI it answers as: `modern` (OpenZFS 2.x: resumable receive, bookmarks, `send -nvP`) or `legacy`
// (zfs-fuse 0.7's usage text and flags), so the agent's feature detection meets the same answers as on a
// real appliance of either kind. Plain JS (no build step): sshd starts it once per command.
import { mkdirSync, rmSync } from 'node:fs';
import { usage } from './sim-usage.mjs';
import { get, list, opts, print } from './sim-query.mjs';
import {
  bookmarkOf,
  childrenOf,
  childSkips,
  clearTree,
  copyTree,
  dataset,
  mountpointOf,
  newGuid,
  readMeta,
  snapDirOf,
  snapshotOf,
  snapshotsByTxg,
  withMeta,
  ZfsError,
} from './sim-store.mjs';
import { receive, send } from './sim-transfer.mjs';
import { parseSize } from './sim-props.mjs';

const modern = (process.env.RACKOPS_SIM_FLAVOR ?? 'modern') === 'modern';
const args = process.argv.slice(2);
for (const s of [process.stdout, process.stderr]) s.on('error', () => process.exit(1));

function setProps(argv) {
  const [assign, ...names] = argv;
  const eq = assign?.indexOf('=') ?? -1;
  if (!assign || eq < 1 || names.length === 0) throw new ZfsError('missing property=value argument', 2);
  const prop = assign.slice(0, eq);
  const value = assign.slice(eq + 1);
  withMeta((meta) => {
    for (const n of names) {
      const target = n.includes('@') ? snapshotOf(meta, n).snap : dataset(meta, n);
      if (prop.includes(':')) {
        target.user = { ...target.user, [prop]: value };
        continue;
      }
      if (n.includes('@'))
        throw new ZfsError(`cannot set property for '${n}': this property can not be modified for snapshots`);
      if (prop === 'quota') {
        const q = value === 'none' ? undefined : parseSize(value);
        if (value !== 'none' && q === undefined)
          throw new ZfsError(`cannot set property for '${n}': 'quota' must be a number`);
        if (q === undefined) delete target.props.quota;
        else target.props.quota = String(q);
      } else if (prop === 'readonly') {
        if (value !== 'on' && value !== 'off')
          throw new ZfsError(`cannot set property for '${n}': 'readonly' must be one of 'on | off'`);
        target.props.readonly = value;
      } else if (['compression', 'atime', 'sync', 'recordsize'].includes(prop)) {
        target.props[prop] = value;
      } else throw new ZfsError(`cannot set property for '${n}': invalid property '${prop}'`);
    }
  });
}

function inherit(argv) {
  const o = opts(argv, '');
  const [prop, ...names] = o.rest;
  withMeta((meta) => {
    for (const n of names) {
      const target = n.includes('@') ? snapshotOf(meta, n).snap : dataset(meta, n);
      if (prop.includes(':')) delete target.user?.[prop];
      else delete target.props?.[prop];
    }
  });
}

function create(argv) {
  const o = opts(argv, 'oV');
  const [name] = o.rest;
  if (!name || name.includes('@')) throw new ZfsError('missing filesystem argument', 2);
  withMeta((meta) => {
    if (Buffer.byteLength(name) >= 256) throw new ZfsError(`cannot create '${name}': name is too long`);
    if (meta.datasets[name]) throw new ZfsError(`cannot create '${name}': dataset already exists`);
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const anc = parts.slice(0, i + 1).join('/');
      const parent = parts.slice(0, i).join('/');
      if (!meta.datasets[parent]) throw new ZfsError(`cannot create '${name}': parent does not exist`);
      if (anc !== name && !meta.datasets[anc] && !o.flags.has('p')) continue;
      if (meta.datasets[anc]) continue;
      meta.txg += 1;
      meta.datasets[anc] = {
        guid: newGuid(),
        createtxg: meta.txg,
        created: nowSec(),
        props: {},
        user: {},
        snapshots: {},
      };
      mkdirSync(mountpointOf(anc), { recursive: true });
    }
  });
}

const nowSec = () => Math.floor(Date.now() / 1000);

function snapshot(argv) {
  const names = opts(argv, 'o').rest;
  withMeta((meta) => {
    meta.txg += 1;
    for (const full of names) {
      const [ds, tag] = full.split('@');
      if (!tag) throw new ZfsError(`'${full}' is not a snapshot`, 2);
      // ZFS_MAX_DATASET_NAME_LEN: 256 bytes with the terminating NUL, for a snapshot's full name too.
      if (Buffer.byteLength(full) >= 256)
        throw new ZfsError(`cannot create snapshot '${full}': name is too long`);
      const d = dataset(meta, ds);
      if (d.snapshots[tag]) throw new ZfsError(`cannot create snapshot '${full}': dataset already exists`);
      const guid = newGuid();
      copyTree(mountpointOf(ds), snapDirOf(ds, guid), { skip: childSkips(meta, ds) });
      d.snapshots[tag] = { guid, createtxg: meta.txg, created: nowSec(), holds: [], user: {} };
    }
  });
}

function destroy(argv) {
  const o = opts(argv, '');
  const [name] = o.rest;
  if (!name) throw new ZfsError('missing dataset argument', 2);
  withMeta((meta) => {
    if (name.includes('#')) {
      const { ds, tag, d, snap } = bookmarkOf(meta, name);
      delete d.bookmarks[tag];
      if (!Object.values(d.snapshots).some((s) => s.guid === snap.guid))
        rmSync(snapDirOf(ds, snap.guid), { recursive: true, force: true });
      return;
    }
    if (name.includes('@')) {
      const { ds, tag, d, snap } = snapshotOf(meta, name);
      if (snap.holds.length > 0) throw new ZfsError(`cannot destroy snapshot ${name}: dataset is busy`);
      const clones = Object.keys(meta.datasets).filter((n) => meta.datasets[n].origin === name);
      if (clones.length > 0)
        throw new ZfsError(
          `cannot destroy '${name}': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\n${clones.join('\n')}`,
        );
      delete d.snapshots[tag];
      // A bookmark of it keeps the frozen tree an incremental send diffs against.
      if (!Object.values(d.bookmarks ?? {}).some((b) => b.guid === snap.guid))
        rmSync(snapDirOf(ds, snap.guid), { recursive: true, force: true });
      return void ds;
    }
    const d = dataset(meta, name);
    const kids = childrenOf(meta, name);
    const snaps = Object.keys(d.snapshots);
    if (!o.flags.has('r') && !o.flags.has('R') && (kids.length > 0 || snaps.length > 0))
      throw new ZfsError(
        `cannot destroy '${name}': filesystem has children\nuse '-r' to destroy the following datasets:\n${[...kids, ...snaps.map((t) => `${name}@${t}`)].join('\n')}`,
      );
    for (const n of [...kids.reverse(), name]) {
      rmSync(snapDirOf(n, ''), { recursive: true, force: true }); // its snapshots' and bookmarks' trees
      rmSync(mountpointOf(n), { recursive: true, force: true });
      delete meta.datasets[n];
    }
  });
}

function bookmark(argv) {
  const [from, to] = opts(argv, '').rest;
  if (!from || !to?.includes('#')) throw new ZfsError('missing bookmark argument', 2);
  withMeta((meta) => {
    const src = from.includes('#') ? bookmarkOf(meta, from) : snapshotOf(meta, from);
    const [ds, tag] = to.split('#');
    if (ds !== src.ds) throw new ZfsError(`cannot create bookmark '${to}': must be in same filesystem`);
    src.d.bookmarks ??= {};
    if (src.d.bookmarks[tag]) throw new ZfsError(`cannot create bookmark '${to}': bookmark exists`);
    src.d.bookmarks[tag] = { guid: src.snap.guid, createtxg: src.snap.createtxg };
  });
}

function holdOrRelease(verb, argv) {
  const [tag, ...names] = opts(argv, '').rest;
  withMeta((meta) => {
    for (const n of names) {
      const { snap } = snapshotOf(meta, n);
      const has = snap.holds.includes(tag);
      if (verb === 'hold') {
        if (has) throw new ZfsError(`cannot hold snapshot '${n}': tag already exists on this dataset`);
        snap.holds.push(tag);
      } else {
        if (!has) throw new ZfsError(`cannot release '${tag}' from '${n}': no such tag on this dataset`);
        snap.holds = snap.holds.filter((h) => h !== tag);
      }
    }
  });
}

function holds(argv) {
  const o = opts(argv, '');
  const meta = readMeta();
  const lines = [];
  for (const n of o.rest)
    for (const h of snapshotOf(meta, n).snap.holds) lines.push([n, h, new Date(0).toString()]);
  print(lines, ['name', 'tag', 'timestamp'], o.flags.has('H'));
}

function rollback(argv) {
  const o = opts(argv, '');
  const [name] = o.rest;
  withMeta((meta) => {
    const { ds, d, snap } = snapshotOf(meta, name);
    const newer = snapshotsByTxg(d).filter(([, s]) => s.createtxg > snap.createtxg);
    if (newer.length > 0 && !o.flags.has('r'))
      throw new ZfsError(
        `cannot rollback to '${name}': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\n${newer.map(([t]) => `${ds}@${t}`).join('\n')}`,
      );
    for (const [t, s] of newer) {
      if (s.holds.length > 0) throw new ZfsError(`cannot destroy snapshot ${ds}@${t}: dataset is busy`);
      delete d.snapshots[t];
      rmSync(snapDirOf(ds, s.guid), { recursive: true, force: true });
    }
    const skip = childSkips(meta, ds);
    clearTree(mountpointOf(ds), skip);
    copyTree(snapDirOf(ds, snap.guid), mountpointOf(ds));
  });
}

function clone(argv) {
  const [from, to] = opts(argv, 'o').rest;
  withMeta((meta) => {
    const { ds, snap } = snapshotOf(meta, from);
    if (meta.datasets[to]) throw new ZfsError(`cannot create '${to}': dataset already exists`);
    const parent = to.split('/').slice(0, -1).join('/');
    if (!meta.datasets[parent]) throw new ZfsError(`cannot create '${to}': parent does not exist`);
    meta.txg += 1;
    meta.datasets[to] = {
      guid: newGuid(),
      createtxg: meta.txg,
      created: nowSec(),
      props: {},
      user: {},
      snapshots: {},
      origin: from,
    };
    copyTree(snapDirOf(ds, snap.guid), mountpointOf(to));
  });
}

function zpool(argv) {
  const [verb, ...rest] = argv;
  const o = opts(rest, 'om');
  if (verb === 'create') {
    const [pool, size] = o.rest;
    withMeta((meta) => {
      if (meta.pools[pool]) throw new ZfsError(`cannot create '${pool}': pool already exists`);
      meta.pools[pool] = { size: parseSize(size ?? '256M') ?? 256 * 1024 * 1024 };
      meta.txg += 1;
      meta.datasets[pool] = {
        guid: newGuid(),
        createtxg: meta.txg,
        created: nowSec(),
        props: {},
        user: {},
        snapshots: {},
      };
      mkdirSync(mountpointOf(pool), { recursive: true });
    });
  } else if (verb === 'destroy') {
    const [pool] = o.rest;
    withMeta((meta) => {
      if (!meta.pools[pool]) throw new ZfsError(`cannot open '${pool}': no such pool`);
      for (const n of [pool, ...childrenOf(meta, pool)]) {
        rmSync(snapDirOf(n, ''), { recursive: true, force: true }); // its snapshots' and bookmarks' trees
        delete meta.datasets[n];
      }
      rmSync(mountpointOf(pool), { recursive: true, force: true });
      delete meta.pools[pool];
    });
  } else if (verb === 'list') {
    const meta = readMeta();
    process.stdout.write(
      Object.keys(meta.pools)
        .map((p) => `${p}\n`)
        .join(''),
    );
  } else throw new ZfsError(`unrecognized command '${verb}'`, 2);
}

async function main() {
  if (process.env.RACKOPS_SIM_CMD === 'zpool') return zpool(args);
  const [verb, ...rest] = args;
  switch (verb) {
    case 'send':
      return send(rest, modern);
    case 'receive':
    case 'recv':
      return receive(rest, modern);
    case 'get':
      return get(rest, modern);
    case 'list':
      return list(rest, modern);
    case 'set':
      return setProps(rest);
    case 'inherit':
      return inherit(rest);
    case 'create':
      return create(rest);
    case 'snapshot':
    case 'snap':
      return snapshot(rest);
    case 'destroy':
      return destroy(rest);
    case 'bookmark':
      if (!modern) break;
      return bookmark(rest);
    case 'hold':
    case 'release':
      return holdOrRelease(verb, rest);
    case 'holds':
      return holds(rest);
    case 'rollback':
      return rollback(rest);
    case 'clone':
      return clone(rest);
    case 'mount':
    case 'umount':
    case 'unmount':
      return; // datasets are plain directories: always mounted
    case 'version':
      if (!modern) break;
      process.stdout.write('zfs-2.1.99-rackops-sim\nzfs-kmod-2.1.99-rackops-sim\n');
      return;
    case 'help':
      if (!modern) break;
      process.stderr.write(usage(true));
      process.exit(2);
      return;
    default:
      break;
  }
  process.stderr.write(`${verb === undefined ? '' : `unrecognized command '${verb}'\n`}${usage(modern)}`);
  process.exit(2);
}

try {
  await main();
} catch (err) {
  if (!(err instanceof ZfsError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(err.exitCode);
}
