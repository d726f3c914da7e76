import type { BNode } from './soap/envelope';
import { toBuilder } from './soap/envelope';
import type { MoRef, PropertyFilterSpec, SelectionSpec } from './soap/decode';
import { managedObjectNotFound, VimFaultError } from './soap/faults';
import { mor, obj, str, type Vim, type VimField } from './soap/vim-value';
import {
  invalidProperty,
  isA,
  type ManagedObject,
  type ObjectSource,
  readPath,
  topLevelProperties,
} from './model/managed-object';

/** One `ObjectContent`: the object and the values of the requested paths that are set. */
export interface ObjectContent {
  readonly obj: MoRef;
  readonly propSet: ReadonlyArray<{ readonly name: string; readonly val: Vim }>;
  readonly missingSet: ReadonlyArray<{ readonly path: string; readonly fault: Vim }>;
}

const refKey = (r: MoRef) => `${r.type}:${r.value}`;

function morefsIn(value: VimField): MoRef[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => morefsIn(v as Vim));
  const v = value as Vim;
  if (v.kind === 'mor') return [{ type: v.type, value: v.value }];
  if (v.kind === 'array') return v.items.flatMap((i) => morefsIn(i));
  return [];
}

/**
 * Walks the object specs and their traversal specs (PropertyCollector semantics): every object
 * reached and not skipped is a candidate; named SelectionSpecs refer to TraversalSpecs by name anywhere in the filter.
 */
export function collectObjects(source: ObjectSource, spec: PropertyFilterSpec): ManagedObject[] {
  const named = new Map<string, SelectionSpec>();
  const index = (sel: readonly SelectionSpec[]) => {
    for (const s of sel) {
      if (s.traversal && s.name !== undefined && !named.has(s.name)) {
        named.set(s.name, s);
        index(s.selectSet);
      } else if (s.traversal) index(s.selectSet);
    }
  };
  for (const o of spec.objectSet) index(o.selectSet);

  const found = new Map<string, ManagedObject>();
  // Visited (object, traversal) pairs stop cycles such as folder <-> parent.
  const visited = new Set<string>();

  const follow = (mo: ManagedObject, selections: readonly SelectionSpec[]) => {
    for (const sel of selections) {
      const t = sel.traversal ? sel : sel.name !== undefined ? named.get(sel.name) : undefined;
      if (!t?.traversal || !isA(mo.ref.type, t.traversal.type)) continue;
      const key = `${refKey(mo.ref)}|${t.name ?? `${t.traversal.type}.${t.traversal.path}`}`;
      if (visited.has(key)) continue;
      visited.add(key);
      let value: VimField;
      try {
        value = readPath(mo, t.traversal.path);
      } catch {
        continue;
      }
      for (const ref of morefsIn(value)) {
        const next = source.get(ref);
        if (!next) continue;
        if (!t.traversal.skip) found.set(refKey(ref), next);
        follow(next, t.selectSet);
      }
    }
  };

  for (const o of spec.objectSet) {
    const root = source.get(o.obj);
    if (!root) throw managedObjectNotFound(mor(o.obj.type, o.obj.value));
    if (!o.skip) found.set(refKey(o.obj), root);
    follow(root, o.selectSet);
  }
  return [...found.values()];
}

/** The property values of one object for the filter's PropertySpecs; undefined when no spec names its type. */
export function contentOf(mo: ManagedObject, spec: PropertyFilterSpec): ObjectContent | undefined {
  const specs = spec.propSet.filter((p) => isA(mo.ref.type, p.type));
  if (specs.length === 0) return undefined;
  const paths = new Set<string>();
  for (const p of specs) {
    for (const path of p.all ? topLevelProperties(mo) : p.pathSet) paths.add(path);
  }
  const propSet: Array<{ name: string; val: Vim }> = [];
  const missingSet: Array<{ path: string; fault: Vim }> = [];
  for (const path of paths) {
    let value: VimField;
    try {
      value = readPath(mo, path);
    } catch (err) {
      // A property the session may not read is reported per object (MissingProperty), not as a call fault.
      if (!(err instanceof VimFaultError) || err.faultType !== 'NoPermission') throw err;
      missingSet.push({
        path,
        fault: obj('LocalizedMethodFault', { fault: err.toVim(), localizedMessage: str(err.message) }),
      });
      continue;
    }
    if (value === undefined) continue;
    propSet.push({ name: path, val: Array.isArray(value) ? (value[0] as Vim) : (value as Vim) });
  }
  return { obj: mo.ref, propSet, missingSet };
}

/** Checks every path of the spec against the types it names, so a bad path fails the call even with no match. */
export function validatePaths(spec: PropertyFilterSpec, objects: ManagedObject[]): void {
  for (const p of spec.propSet) {
    const sample = objects.find((o) => isA(o.ref.type, p.type));
    if (!sample) continue;
    for (const path of p.pathSet) {
      const top = path.split('.')[0] ?? path;
      if (!sample.names.some((k) => k === top || k.startsWith(`${top}.`))) {
        throw invalidProperty(path);
      }
    }
  }
}

export function objectContentNode(c: ObjectContent): BNode {
  const node: Record<string, BNode | BNode[]> = { obj: toBuilder(mor(c.obj.type, c.obj.value), false) };
  if (c.propSet.length > 0) {
    node.propSet = c.propSet.map((p) => ({ name: p.name, val: toBuilder(p.val, true) }));
  }
  if (c.missingSet.length > 0) {
    node.missingSet = c.missingSet.map((m) => ({ path: m.path, fault: toBuilder(m.fault, false) }));
  }
  return node;
}
