// The read verbs of the stand-alone sim (`zfs get`, `zfs list`) and the argument parsing all verbs share.
import { isNumeric, propertyOf } from './sim-props.mjs';
import { existsSync, readFileSync } from 'node:fs';
import {
  childrenOf,
  dataset,
  readMeta,
  snapshotOf,
  snapshotsByTxg,
  statePath,
  ZfsError,
} from './sim-store.mjs';
/** Splits `-Hp -d 1 -o a,b x y` into flags, option values and operands. */
export function opts(argv, withValue = 'odtsS') {
  const flags = new Set();
  const values = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^-[A-Za-z]+$/.test(a)) {
      for (const [j, f] of [...a.slice(1)].entries()) {
        if (withValue.includes(f)) {
          values[f] = a.length > j + 2 ? a.slice(j + 2) : argv[++i];
          break;
        }
        flags.add(f);
      }
    } else rest.push(a);
  }
  return { flags, values, rest };
}

/** Every dataset and snapshot `-r`/`-d` reach from `names` (all datasets when none), filtered by `types`. */
function targets(meta, names, { recursive, depth, types }) {
  const out = [];
  const roots = names.length > 0 ? names : Object.keys(meta.datasets).filter((n) => !n.includes('/'));
  const maxDepth = depth ?? (recursive || names.length === 0 ? Number.POSITIVE_INFINITY : 0);
  for (const root of roots) {
    if (root.includes('@')) {
      const { snap } = snapshotOf(meta, root);
      if (types.has('snapshot') || names.length > 0) out.push({ name: root, snap });
      continue;
    }
    dataset(meta, root);
    const level = (n) => n.split('/').length - root.split('/').length;
    const under = [root, ...childrenOf(meta, root)].filter((n) => level(n) <= maxDepth).sort();
    for (const n of under) {
      if (types.has('filesystem')) out.push({ name: n });
      if (types.has('snapshot') && level(n) + 1 <= maxDepth)
        for (const [tag, snap] of snapshotsByTxg(meta.datasets[n])) out.push({ name: `${n}@${tag}`, snap });
    }
  }
  return out;
}

const typesOf = (t, dflt) =>
  new Set(t === undefined ? dflt : t === 'all' ? ['filesystem', 'snapshot'] : t.split(','));

export function get(argv, modern) {
  const o = opts(argv);
  const [props, ...names] = o.rest;
  if (!props || names.length === 0) throw new ZfsError('missing property argument', 2);
  const meta = readMeta();
  // A first full receive cut with -s: OpenZFS keeps the new dataset (inconsistent, not listed as usable) and
  // its token; here the dataset appears only when the stream is whole, so the token is answered without it.
  const token = statePath(names[0] ?? '', 'token');
  if (
    modern &&
    props === 'receive_resume_token' &&
    names.length === 1 &&
    !meta.datasets[names[0]] &&
    existsSync(token)
  ) {
    const v = readFileSync(token, 'utf8').trim();
    return void process.stdout.write(
      o.flags.has('H') && o.values.o === 'value' ? `${v}\n` : `${names[0]}\treceive_resume_token\t${v}\t-\n`,
    );
  }
  const fields = (o.values.o ?? 'name,property,value,source').split(',');
  const depth = o.values.d === undefined ? undefined : Number(o.values.d);
  const list = targets(meta, names, {
    recursive: o.flags.has('r'),
    depth,
    types: typesOf(undefined, ['filesystem', 'snapshot']),
  });
  const lines = [];
  for (const t of list) {
    for (const p of props.split(',')) {
      const [value, source] = propertyOf(meta, t.name, p, {
        snap: t.snap,
        modern,
        parsable: o.flags.has('p'),
      });
      const row = { name: t.name, property: p, value, source };
      lines.push(fields.map((f) => row[f] ?? '-'));
    }
  }
  print(lines, fields, o.flags.has('H'));
}

export function print(lines, fields, scripted) {
  if (scripted) return void process.stdout.write(lines.map((l) => `${l.join('\t')}\n`).join(''));
  const rows = [fields.map((f) => f.toUpperCase()), ...lines];
  const widths = fields.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  process.stdout.write(
    rows
      .map(
        (r) =>
          `${r
            .map((c, i) => String(c).padEnd(widths[i]))
            .join('  ')
            .trimEnd()}\n`,
      )
      .join(''),
  );
}

export function list(argv, modern) {
  const o = opts(argv);
  const meta = readMeta();
  const fields = (o.values.o ?? 'name,used,avail,refer,mountpoint').split(',');
  const list = targets(meta, o.rest, {
    recursive: o.flags.has('r'),
    depth: o.values.d === undefined ? undefined : Number(o.values.d),
    types: typesOf(o.values.t, ['filesystem']),
  });
  const lines = list
    .filter((t) => typesOf(o.values.t, ['filesystem']).has(t.snap ? 'snapshot' : 'filesystem'))
    .map((t) =>
      fields.map(
        (f) =>
          propertyOf(meta, t.name, f, {
            snap: t.snap,
            modern,
            parsable: o.flags.has('p') || !isNumeric(f),
          })[0],
      ),
    );
  print(lines, fields, o.flags.has('H'));
}
