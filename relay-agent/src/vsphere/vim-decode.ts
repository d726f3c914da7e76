import { child, type XNode } from './xml';

/** A ManagedObjectReference as decoded: `{ type: 'HostSystem', value: 'host-10' }`. */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

const isMorNode = (n: XNode): boolean =>
  n.children.length === 0 &&
  n.attrs.type !== undefined &&
  (n.attrs['xsi:type'] === undefined || n.attrs['xsi:type'] === 'ManagedObjectReference');

/**
 * Generic vim25 value → plain JS: morefs become MoRef, `ArrayOfX` becomes an array, data objects
 * become records (`_type` = xsi:type), a repeated element becomes an array, leaves stay strings.
 * Callers validate the shape they need with zod (numbers and booleans are coerced there).
 */
export function decodeVim(n: XNode): unknown {
  if (isMorNode(n)) return { type: n.attrs.type ?? '', value: n.text } satisfies MoRef;
  const xsi = n.attrs['xsi:type'];
  if (xsi?.startsWith('ArrayOf')) return n.children.map(decodeVim);
  if (n.children.length === 0) return n.text;
  const out: Record<string, unknown> = {};
  if (xsi) out._type = xsi;
  for (const c of n.children) {
    const v = decodeVim(c);
    const prev = out[c.name];
    if (prev === undefined) out[c.name] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[c.name] = [prev, v];
  }
  return out;
}

/** A property collector object: `{ obj, props: { 'runtime.inMaintenanceMode': 'true', … } }`. */
export interface ObjectContent {
  readonly obj: MoRef;
  readonly props: Record<string, unknown>;
}

export function decodeObjectContent(n: XNode): ObjectContent {
  const objNode = child(n, 'obj');
  const obj: MoRef = { type: objNode?.attrs.type ?? '', value: objNode?.text ?? '' };
  const props: Record<string, unknown> = {};
  for (const p of n.children.filter((c) => c.name === 'propSet')) {
    const name = child(p, 'name')?.text;
    const val = child(p, 'val');
    if (name && val) props[name] = decodeVim(val);
  }
  return { obj, props };
}
