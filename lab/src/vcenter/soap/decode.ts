import { invalidArgument, invalidRequest } from './faults';
import { child, childrenNamed, childText, type XNode } from './xml-tree';

/** A ManagedObjectReference as it arrives in a request: `<obj type="HostSystem">host-10</obj>`. */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

export function readMor(node: XNode | undefined, what: string): MoRef {
  const type = node?.attrs.type;
  if (!node || !type || node.text === '') throw invalidArgument(what);
  return { type, value: node.text };
}

export function optionalText(node: XNode, name: string): string | undefined {
  const t = childText(node, name);
  return t === undefined || t === '' ? undefined : t;
}

export function readBool(node: XNode, name: string, fallback: boolean): boolean {
  const t = optionalText(node, name);
  if (t === undefined) return fallback;
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw invalidArgument(name);
}

export function readInt(node: XNode, name: string): number | undefined {
  const t = optionalText(node, name);
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isInteger(n)) throw invalidArgument(name);
  return n;
}

export interface PropertySpec {
  readonly type: string;
  readonly all: boolean;
  readonly pathSet: readonly string[];
}

/** SelectionSpec (a named reference) or TraversalSpec (type + path + nested selections). */
export interface SelectionSpec {
  readonly name?: string;
  readonly traversal?: { readonly type: string; readonly path: string; readonly skip: boolean };
  readonly selectSet: readonly SelectionSpec[];
}

export interface ObjectSpec {
  readonly obj: MoRef;
  readonly skip: boolean;
  readonly selectSet: readonly SelectionSpec[];
}

export interface PropertyFilterSpec {
  readonly propSet: readonly PropertySpec[];
  readonly objectSet: readonly ObjectSpec[];
  readonly reportMissingObjectsInResults: boolean;
}

function readSelection(node: XNode): SelectionSpec {
  const type = optionalText(node, 'type');
  const path = optionalText(node, 'path');
  const isTraversal =
    node.attrs['xsi:type'] === 'TraversalSpec' || (type !== undefined && path !== undefined);
  const name = optionalText(node, 'name');
  const selectSet = childrenNamed(node, 'selectSet').map(readSelection);
  if (!isTraversal) {
    if (name === undefined) throw invalidArgument('selectSet.name');
    return { name, selectSet };
  }
  if (type === undefined || path === undefined) throw invalidArgument('selectSet.path');
  return {
    ...(name === undefined ? {} : { name }),
    traversal: { type, path, skip: readBool(node, 'skip', false) },
    selectSet,
  };
}

export function readFilterSpec(node: XNode): PropertyFilterSpec {
  const propSet = childrenNamed(node, 'propSet').map((p) => {
    const type = optionalText(p, 'type');
    if (!type) throw invalidArgument('propSet.type');
    return { type, all: readBool(p, 'all', false), pathSet: childrenNamed(p, 'pathSet').map((x) => x.text) };
  });
  const objectSet = childrenNamed(node, 'objectSet').map((o) => ({
    obj: readMor(child(o, 'obj'), 'objectSet.obj'),
    skip: readBool(o, 'skip', false),
    selectSet: childrenNamed(o, 'selectSet').map(readSelection),
  }));
  if (objectSet.length === 0) throw invalidArgument('objectSet');
  return {
    propSet,
    objectSet,
    reportMissingObjectsInResults: readBool(node, 'reportMissingObjectsInResults', false),
  };
}

/** The `_this` moref every vim25 method carries. */
export function readThis(method: XNode): MoRef {
  const node = child(method, '_this');
  if (!node) throw invalidRequest(`Required parameter _this is missing in call to ${method.name}`);
  return readMor(node, '_this');
}
