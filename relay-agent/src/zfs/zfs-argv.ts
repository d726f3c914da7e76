import { isRackopsClone } from '@rackops/core/replication/clone-name';
import { ProtectionGroupName, ZfsDatasetName, ZfsSnapshotTag } from '@rackops/core/replication/zfs-names';
import { ValidationError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';

/**
 * Every command the agent may run on an appliance, by verb. Each argument is parsed against the ZFS name
 * rules before anything is built, so a name with `;`, `$(`, a space or a leading `-` is refused here,
 * before any SSH connection. The result is an argv; `remoteCommand` quotes each element, because an SSH
 * server hands the command to a shell however it was built.
 */
export type ZfsCall =
  | { verb: 'usage' }
  | { verb: 'version' }
  | { verb: 'snapshots'; dataset: string }
  | { verb: 'available'; dataset: string }
  | { verb: 'used'; dataset: string }
  | { verb: 'snapshot'; dataset: string; tag: string }
  | { verb: 'send'; dataset: string; tag: string; from?: string; progress?: boolean }
  | { verb: 'receive'; dataset: string; incremental: boolean }
  | { verb: 'set-readonly'; dataset: string }
  | { verb: 'destroy-snapshot'; dataset: string; tag: string }
  | { verb: 'hold'; dataset: string; tag: string; holdTag: string }
  | { verb: 'release'; dataset: string; tag: string; holdTag: string }
  | { verb: 'get'; dataset: string; property: ZfsProperty }
  | { verb: 'mark'; dataset: string; property: 'rackops:replica' | 'rackops:promoted'; value: string }
  | { verb: 'unmark'; dataset: string; property: 'rackops:promoted' }
  | { verb: 'clone'; dataset: string; tag: string; clone: string }
  | { verb: 'destroy-clone'; clone: string }
  | { verb: 'rollback'; dataset: string; tag: string }
  | { verb: 'set-writable'; dataset: string };

/** The properties RackOps reads: no other (a property value is an appliance's answer, parsed by the caller). */
export type ZfsProperty = 'origin' | 'mountpoint' | 'readonly' | 'rackops:replica' | 'rackops:promoted';
const READ_PROPERTIES: readonly string[] = [
  'origin',
  'mountpoint',
  'readonly',
  'rackops:replica',
  'rackops:promoted',
];

export function zfsArgv(call: ZfsCall): string[] {
  const ds = (v: string) => parseOrThrow(ZfsDatasetName, v, 'dataset name');
  // The only datasets the agent may create or destroy whole: RackOps' own test clones (clone-name.ts).
  const clone = (v: string) => {
    if (!isRackopsClone(ds(v))) throw new ValidationError(`${JSON.stringify(v)} is not a RackOps test clone`);
    return v;
  };
  const snap = (d: string, t: string) => `${ds(d)}@${parseOrThrow(ZfsSnapshotTag, t, 'snapshot name')}`;
  switch (call.verb) {
    case 'usage':
      return ['zfs', 'help'];
    case 'version':
      return ['zfs', 'version'];
    case 'snapshots':
      // `get -Hp -d 1` exists on zfs-fuse and on OpenZFS alike; `list -p` does not.
      return [
        'zfs',
        'get',
        '-Hp',
        '-r',
        '-d',
        '1',
        '-o',
        'name,property,value',
        'guid,createtxg',
        ds(call.dataset),
      ];
    case 'available':
      return ['zfs', 'get', '-Hp', '-o', 'value', 'available', ds(call.dataset)];
    case 'used':
      return ['zfs', 'get', '-Hp', '-o', 'value', 'used', ds(call.dataset)];
    case 'snapshot':
      return ['zfs', 'snapshot', snap(call.dataset, call.tag)];
    case 'send': {
      // `-v -P`: the `size` estimate (as `-n -v -P` gives it), then `HH:MM:SS <bytes> <snap>` each second.
      const flags = call.progress ? ['-v', '-P'] : [];
      const from =
        call.from === undefined ? [] : ['-i', `@${parseOrThrow(ZfsSnapshotTag, call.from, 'snapshot name')}`];
      return ['zfs', 'send', ...flags, ...from, snap(call.dataset, call.tag)];
    }
    case 'receive':
      // -F on an increment only rolls back what changed on the replica since its newest snapshot (an atime,
      // a mount); the plan has already refused a target with snapshots newer than the base.
      return call.incremental
        ? ['zfs', 'receive', '-F', ds(call.dataset)]
        : ['zfs', 'receive', ds(call.dataset)];
    case 'set-readonly':
      return ['zfs', 'set', 'readonly=on', ds(call.dataset)];
    case 'destroy-snapshot':
      return ['zfs', 'destroy', snap(call.dataset, call.tag)];
    case 'hold':
      return [
        'zfs',
        'hold',
        parseOrThrow(ZfsSnapshotTag, call.holdTag, 'hold tag'),
        snap(call.dataset, call.tag),
      ];
    case 'release':
      return [
        'zfs',
        'release',
        parseOrThrow(ZfsSnapshotTag, call.holdTag, 'hold tag'),
        snap(call.dataset, call.tag),
      ];
    case 'get':
      if (!READ_PROPERTIES.includes(call.property))
        throw new ValidationError(`property ${JSON.stringify(call.property)} is not read by RackOps`);
      return ['zfs', 'get', '-H', '-o', 'value', call.property, ds(call.dataset)];
    case 'clone':
      return ['zfs', 'clone', snap(call.dataset, call.tag), clone(call.clone)];
    case 'destroy-clone':
      // No -r, no -R: a clone with snapshots or dependants of its own is not ours to remove. -f unmounts it
      // (zfs-fuse calls a mounted clone busy even with no file open on it).
      return ['zfs', 'destroy', '-f', clone(call.clone)];
    case 'mark': {
      // The value is a group name or a snapshot tag: both plain words.
      const value =
        call.property === 'rackops:replica'
          ? parseOrThrow(ProtectionGroupName, call.value, 'group name')
          : parseOrThrow(ZfsSnapshotTag, call.value, 'snapshot name');
      if (call.property !== 'rackops:replica' && call.property !== 'rackops:promoted')
        throw new ValidationError(`property ${JSON.stringify(call.property)} is not set by RackOps`);
      return ['zfs', 'set', `${call.property}=${value}`, ds(call.dataset)];
    }
    case 'unmark':
      // Typed to the one mark a demotion clears; checked again as the command may come from JSON.
      if ((call.property as string) !== 'rackops:promoted')
        throw new ValidationError('only rackops:promoted is cleared by RackOps');
      return ['zfs', 'inherit', call.property, ds(call.dataset)];
    case 'rollback':
      // -r: snapshots after the named one (a replica's newer, unused ones) go; the data goes back to it.
      return ['zfs', 'rollback', '-r', snap(call.dataset, call.tag)];
    case 'set-writable':
      return ['zfs', 'set', 'readonly=off', ds(call.dataset)];
  }
}

const SAFE_ARG = /^[A-Za-z0-9@/_.:=,-]+$/;

/** The argv as one command line for the SSH exec request: every element single-quoted. */
export function remoteCommand(argv: readonly string[]): string {
  for (const a of argv) {
    if (!SAFE_ARG.test(a)) throw new ValidationError(`refused argument ${JSON.stringify(a)}`);
  }
  return argv.map((a) => `'${a}'`).join(' ');
}
