import { XMLBuilder } from 'fast-xml-parser';
import type { VimFaultError } from './faults';
import type { Vim, VimField } from './vim-value';
import { child, type XNode } from './xml-tree';
import { DEFAULT_WIRE_STYLE, styled, type WireStyle } from './wire-style';

/** A node in fast-xml-parser's builder input: attributes as `@_x`, text as `#text`. */
type BNode = string | { [key: string]: BNode | BNode[] };

// Entity processing is off: text is escaped once here, where values enter the tree (twice as fast
// on large PropertyCollector pages). Attribute values are type names and never need escaping.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: false,
  processEntities: false,
});

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Escapes character data for the builder (which is told not to). */
export function xmlText(s: string): string {
  return /[&<>]/.test(s) ? s.replace(/[&<>]/g, (c) => ESCAPES[c] ?? c) : s;
}

const ENVELOPE_NS = {
  '@_xmlns:soapenc': 'http://schemas.xmlsoap.org/soap/encoding/',
  '@_xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/',
  '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
  '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
};

function primText(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return typeof value === 'string' ? xmlText(value) : String(value);
}

/**
 * One value as builder input. `typed` asks for `xsi:type` on primitives and enums, which vCenter
 * writes where the declared type is `anyType` (PropertyCollector `val`, `TaskInfo.result`).
 */
export function toBuilder(value: Vim, typed: boolean): BNode {
  switch (value.kind) {
    case 'prim':
      return typed
        ? { '@_xsi:type': `xsd:${value.xsd}`, '#text': primText(value.value) }
        : primText(value.value);
    case 'enum':
      return typed ? { '@_xsi:type': value.type, '#text': xmlText(value.value) } : xmlText(value.value);
    case 'mor':
      // In an anyType position (a task's result) vCenter names the type: `xsi:type="ManagedObjectReference"`.
      return ANY_TYPED.has(value)
        ? { '@_type': value.type, '@_xsi:type': 'ManagedObjectReference', '#text': xmlText(value.value) }
        : { '@_type': value.type, '#text': xmlText(value.value) };
    case 'obj': {
      const out: Record<string, BNode | BNode[]> = { '@_xsi:type': value.type };
      for (const [name, field] of Object.entries(value.fields)) {
        const node = fieldToBuilder(field);
        if (node !== undefined) out[name] = node;
      }
      return out;
    }
    case 'array': {
      const itemName = value.itemType === 'string' ? 'string' : value.itemType;
      const items = value.items.map((i) => toBuilder(i, false));
      return items.length === 0
        ? { '@_xsi:type': `ArrayOf${cap(value.itemType)}` }
        : { '@_xsi:type': `ArrayOf${cap(value.itemType)}`, [itemName]: items };
    }
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function fieldToBuilder(field: VimField): BNode | BNode[] | undefined {
  if (field === undefined) return undefined;
  if (Array.isArray(field))
    return field.length === 0 ? undefined : field.map((f) => toBuilder(f as Vim, false));
  const single = field as Vim;
  // `anyType` fields (e.g. OptionValue.value) carry their own type, like `val`.
  return toBuilder(single, single.kind === 'prim' && ANY_TYPED.has(single));
}

/** Values that must carry `xsi:type` even when nested (their declared type is xsd:anyType). */
const ANY_TYPED = new WeakSet<Vim>();
export function anyTyped(value: Vim): Vim {
  ANY_TYPED.add(value);
  return value;
}

/** `<XResponse xmlns="urn:vim25"><returnval>…</returnval></XResponse>`; `returnval` may repeat or be absent. */
export function responseEnvelope(
  method: string,
  returnval: BNode | BNode[] | undefined,
  style: WireStyle = DEFAULT_WIRE_STYLE,
): string {
  const body: Record<string, BNode | BNode[]> = { '@_xmlns': 'urn:vim25' };
  if (returnval !== undefined) body.returnval = returnval;
  return serialise({ [`${method}Response`]: body }, style);
}

export function faultEnvelope(fault: VimFaultError, style: WireStyle = DEFAULT_WIRE_STYLE): string {
  const detail = toBuilder(fault.toVim(), false) as Record<string, BNode | BNode[]>;
  return serialise(
    {
      'soapenv:Fault': {
        faultcode: fault.faultCode,
        faultstring: xmlText(fault.message),
        detail: { [`${fault.faultType}Fault`]: { '@_xmlns': 'urn:vim25', ...detail } },
      },
    },
    style,
  );
}

function serialise(body: Record<string, BNode | BNode[]>, style: WireStyle = DEFAULT_WIRE_STYLE): string {
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'soapenv:Envelope': styled({ ...ENVELOPE_NS, 'soapenv:Body': body }, style),
  };
  return builder.build(doc) as string;
}

/** The method element inside `soapenv:Body` of a request. */
export function requestMethod(envelope: XNode): XNode | undefined {
  if (envelope.name !== 'Envelope') return undefined;
  const body = child(envelope, 'Body');
  return body?.children[0];
}

export type { BNode };
