import type { MoRef } from '../soap/decode';
import { VimFaultError } from '../soap/faults';
import { type Vim, type VimField, fieldOf, str } from '../soap/vim-value';

/** The properties of a managed object, computed on demand from the world state. */
export interface ManagedObject {
  readonly ref: MoRef;
  /** Registered property names: top-level ones and a few dotted shortcuts (`runtime.powerState`). */
  readonly names: readonly string[];
  has(name: string): boolean;
  read(name: string): VimField;
}

/** A managed object from a record of getters (types with few instances: folders, clusters, hosts). */
export function fromGetters(ref: MoRef, getters: Readonly<Record<string, () => VimField>>): ManagedObject {
  return {
    ref,
    names: Object.keys(getters),
    has: (name) => Object.hasOwn(getters, name),
    read: (name) => getters[name]?.(),
  };
}

/** Getters shared by every object of a type, taking the object's state: no closures per object. */
export interface GetterTable<S> {
  readonly names: readonly string[];
  readonly getters: Readonly<Record<string, (scope: S) => VimField>>;
}

export function getterTable<S>(getters: Record<string, (scope: S) => VimField>): GetterTable<S> {
  return { names: Object.keys(getters), getters };
}

/** A managed object over a shared getter table (VMs: tens of thousands of them per inventory read). */
export class TableObject<S> implements ManagedObject {
  constructor(
    readonly ref: MoRef,
    private readonly table: GetterTable<S>,
    private readonly scope: S,
  ) {}

  get names(): readonly string[] {
    return this.table.names;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.table.getters, name);
  }

  read(name: string): VimField {
    return this.table.getters[name]?.(this.scope);
  }
}

/** Anything that can find managed objects by reference: the inventory plus per-session objects (views, tasks). */
export interface ObjectSource {
  get(ref: MoRef): ManagedObject | undefined;
}

/** vim25 type hierarchy, as far as traversal and property specs need it (`ManagedEntity` matches a host). */
const PARENT_TYPE: Readonly<Record<string, string>> = {
  Folder: 'ManagedEntity',
  Datacenter: 'ManagedEntity',
  ComputeResource: 'ManagedEntity',
  ClusterComputeResource: 'ComputeResource',
  HostSystem: 'ManagedEntity',
  VirtualMachine: 'ManagedEntity',
  ResourcePool: 'ManagedEntity',
  Datastore: 'ManagedEntity',
  Network: 'ManagedEntity',
  DistributedVirtualPortgroup: 'Network',
  ManagedEntity: 'ExtensibleManagedObject',
  Task: 'ExtensibleManagedObject',
  ContainerView: 'ManagedObjectView',
  ListView: 'ManagedObjectView',
  ManagedObjectView: 'View',
};

export function isA(type: string, wanted: string): boolean {
  for (let t: string | undefined = type; t !== undefined; t = PARENT_TYPE[t]) {
    if (t === wanted) return true;
  }
  return false;
}

export const invalidProperty = (name: string) =>
  new VimFaultError('InvalidProperty', `The property path ${name} is not valid for this object`, {
    name: str(name),
  });

/**
 * Reads a property path (`summary.hardware.cpuMhz`) of an object. Unknown top-level names are an
 * InvalidProperty fault, as in vCenter; an unset leaf is `undefined` (omitted from the result).
 */
export function readPath(mo: ManagedObject, path: string): VimField {
  const parts = path.split('.');
  // Longest registered prefix first: some types register dotted paths directly (cheap leaf getters).
  for (let n = parts.length; n >= 1; n--) {
    const name = n === 1 ? (parts[0] as string) : parts.slice(0, n).join('.');
    if (!mo.has(name)) continue;
    let value = mo.read(name);
    for (const name of parts.slice(n)) {
      if (value === undefined || Array.isArray(value)) return undefined;
      value = fieldOf(value as Vim, name);
    }
    return value;
  }
  throw invalidProperty(path);
}

/** All top-level property names (for `all=true`), without the dotted shortcuts. */
export function topLevelProperties(mo: ManagedObject): string[] {
  return mo.names.filter((k) => !k.includes('.'));
}
