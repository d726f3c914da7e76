import type { MoRef } from '../soap/decode';
import { VimFaultError } from '../soap/faults';
import { type Vim, type VimField, fieldOf, str } from '../soap/vim-value';

/** The top-level properties of a managed object, computed on demand from the world state. */
export type PropertyGetters = Readonly<Record<string, () => VimField>>;

export interface ManagedObject {
  readonly ref: MoRef;
  readonly properties: PropertyGetters;
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
    const getter = mo.properties[parts.slice(0, n).join('.')];
    if (!getter) continue;
    let value = getter();
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
  return Object.keys(mo.properties).filter((k) => !k.includes('.'));
}
