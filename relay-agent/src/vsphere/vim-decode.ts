import { fieldType, isDataObjectType, PROPERTY_TYPES, VIM_TYPES } from './vim-types';
import { child, type XNode } from './xml';

/** A ManagedObjectReference as decoded: `{ type: 'HostSystem', value: 'host-10' }`. */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

const MOR_TYPE = 'ManagedObjectReference';

const isMorNode = (n: XNode, expected: string | undefined): boolean => {
  const xsi = n.attrs['xsi:type'];
  if (n.children.length > 0 || n.attrs.type === undefined) return false;
  return xsi === undefined ? expected === undefined || expected === MOR_TYPE : xsi === MOR_TYPE;
};

/** `ArrayOfFoo` -> `Foo` (`ArrayOfManagedObjectReference` -> moref, `ArrayOfString` -> xsd:string). */
function arrayItemType(arrayType: string): string | undefined {
  const item = arrayType.slice('ArrayOf'.length);
  if (item === MOR_TYPE || VIM_TYPES[item]) return item;
  const lower = item.charAt(0).toLowerCase() + item.slice(1);
  return ['string', 'int', 'long', 'short', 'boolean', 'dateTime', 'anyType'].includes(lower)
    ? `xsd:${lower}`
    : item;
}

/**
 * Generic vim25 value → plain JS: morefs become MoRef, `ArrayOfX` becomes an array, data objects
 * become records (`_type` = xsi:type), leaves stay strings. `expected` is the type the WSDL declares
 * at this position (vim-types.ts): it decides what an element means when the server writes no
 * `xsi:type` — an empty element is an empty object, an empty list or '' accordingly, and a field
 * declared as a list is always an array, even with one element. Callers validate with zod.
 */
export function decodeVim(n: XNode, expected?: string): unknown {
  if (expected?.endsWith('[]')) {
    // A list-typed property value without its ArrayOfX type name: the children are the items.
    const item = expected.slice(0, -2);
    return n.attrs['xsi:type'] === undefined ? n.children.map((c) => decodeVim(c, item)) : decodeVim(n, item);
  }
  if (isMorNode(n, expected)) return { type: n.attrs.type ?? '', value: n.text } satisfies MoRef;
  const xsi = n.attrs['xsi:type'];
  const type = xsi ?? expected;
  if (type?.startsWith('ArrayOf')) {
    const item = arrayItemType(type);
    return n.children.map((c) => decodeVim(c, item));
  }
  if (n.children.length === 0) {
    if (n.text !== '' || !isDataObjectType(type)) return n.text;
    return xsi ? { _type: xsi } : {};
  }
  const out: Record<string, unknown> = {};
  if (xsi) out._type = xsi;
  for (const c of n.children) {
    const declared = fieldType(type, c.name);
    const v = decodeVim(c, declared?.endsWith('[]') ? declared.slice(0, -2) : declared);
    const prev = out[c.name];
    if (prev === undefined) out[c.name] = declared?.endsWith('[]') ? [v] : v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[c.name] = [prev, v];
  }
  return out;
}

/** A property collector object: `{ obj, props: { 'runtime.inMaintenanceMode': 'true', … } }`. */
export interface ObjectContent {
  readonly obj: MoRef;
  readonly props: Record<string, unknown>;
  /** Paths vCenter could not read for this object (`missingSet`), with the fault type (e.g. NoPermission). */
  readonly missing?: ReadonlyArray<{ readonly path: string; readonly fault: string }>;
}

export function decodeObjectContent(n: XNode): ObjectContent {
  const objNode = child(n, 'obj');
  const obj: MoRef = { type: objNode?.attrs.type ?? '', value: objNode?.text ?? '' };
  const props: Record<string, unknown> = {};
  for (const p of n.children.filter((c) => c.name === 'propSet')) {
    const name = child(p, 'name')?.text;
    const val = child(p, 'val');
    if (name && val) props[name] = decodeVim(val, PROPERTY_TYPES[obj.type]?.[name]);
  }
  const missing = n.children
    .filter((c) => c.name === 'missingSet')
    .map((m) => ({
      path: child(m, 'path')?.text ?? '',
      fault: (child(child(m, 'fault'), 'fault')?.attrs['xsi:type'] ?? 'SystemError').replace(/Fault$/, ''),
    }));
  return missing.length > 0 ? { obj, props, missing } : { obj, props };
}
