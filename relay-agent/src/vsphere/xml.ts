import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { MalformedResponseError } from '../http/errors';

/** Namespace URIs the decoder resolves prefixes to (XML Namespaces 1.0: a prefix is only a local alias). */
export const NS = {
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  vim25: 'urn:vim25',
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
} as const;

/**
 * A parsed XML element. `name` is the local name and `ns` its namespace URI. Attributes keep their
 * names, except that any attribute in the XML Schema instance namespace is written `xsi:<local>` whatever
 * prefix the server bound (`XMLSchema-instance:type`, `i:type`…), and an `xsi:type` value is a resolved
 * QName: `xsd:<local>` for XML Schema types, the bare local name for vim25 (or unbound) types. Other
 * namespaced attributes are named `{uri}local`, so an `xsi:` prefix bound to another namespace is not xsi.
 */
export interface XNode {
  readonly name: string;
  readonly ns: string | undefined;
  readonly attrs: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly XNode[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Prefixes are kept so that they can be resolved against the in-scope xmlns declarations below.
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };
/** prefix ('' = default namespace) -> namespace URI. */
type Scope = ReadonlyMap<string, string>;

const ROOT_SCOPE: Scope = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);

const splitQName = (q: string): [prefix: string, local: string] => {
  const i = q.indexOf(':');
  return i < 0 ? ['', q] : [q.slice(0, i), q.slice(i + 1)];
};

/** An `xsi:type` value resolved against the scope (a QName in element content, XML Schema 1.0 §2.6.1). */
function resolveTypeName(value: string, scope: Scope): string {
  const [prefix, local] = splitQName(value.trim());
  const uri = scope.get(prefix);
  if (uri === NS.xsd) return `xsd:${local}`;
  // An unbound prefix cannot be resolved: keep what was written rather than guess.
  return uri === undefined && prefix !== '' ? value.trim() : local;
}

function toNode(raw: Ordered, outer: Scope): XNode | undefined {
  const qname = Object.keys(raw).find((k) => k !== ':@');
  if (!qname || qname === '#text' || qname === '?xml') return undefined;
  const rawAttrs = raw[':@'] ?? {};
  let scope = outer;
  for (const k of Object.keys(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === outer) scope = new Map(outer);
      (scope as Map<string, string>).set(k === 'xmlns' ? '' : k.slice(6), String(rawAttrs[k]));
    }
  }
  const [elPrefix, name] = splitQName(qname);
  const kids = (raw[qname] as Ordered[]) ?? [];
  const children: XNode[] = [];
  let text = '';
  for (const k of kids) {
    if ('#text' in k) text += String(k['#text']);
    else {
      const n = toNode(k, scope);
      if (n) children.push(n);
    }
  }
  // Unprefixed attributes (a moref's `type`) have no namespace and keep their name; a value's type is
  // recognised by the namespace its prefix is bound to, not by the prefix's spelling.
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    const [p, local] = splitQName(k);
    const uri = p === '' || p === 'xmlns' ? undefined : scope.get(p);
    if (uri === NS.xsi) {
      attrs[`xsi:${local}`] = local === 'type' ? resolveTypeName(String(v), scope) : String(v);
    } else if (uri !== undefined)
      attrs[`{${uri}}${local}`] = String(v); // Clark notation: never mistaken for xsi:
    else attrs[k] = String(v);
  }
  return { name, ns: scope.get(elPrefix), attrs, text, children };
}

export function parseXml(xml: string, what: string): XNode {
  let doc: Ordered[];
  try {
    doc = parser.parse(xml) as Ordered[];
  } catch (err) {
    throw new MalformedResponseError(what, `not XML (${(err as Error).message})`);
  }
  for (const top of doc) {
    const n = toNode(top, ROOT_SCOPE);
    if (n) return n;
  }
  throw new MalformedResponseError(what, 'empty XML document');
}

export const child = (n: XNode | undefined, name: string): XNode | undefined =>
  n?.children.find((c) => c.name === name);
export const children = (n: XNode | undefined, name: string): XNode[] =>
  n?.children.filter((c) => c.name === name) ?? [];

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  format: false,
});

/** Builder input: `@_attr` for attributes, `#text` for text, arrays for repeated elements, key order = element order. */
export type BNode = string | number | boolean | { [key: string]: BNode | BNode[] | undefined };

/** `<soapenv:Envelope><soapenv:Body><Method xmlns="urn:vim25">…</Method></soapenv:Body></soapenv:Envelope>`. */
export function soapRequest(method: string, body: Record<string, BNode | BNode[] | undefined>): string {
  const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'soapenv:Envelope': {
      '@_xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/',
      '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'soapenv:Body': { [method]: { '@_xmlns': 'urn:vim25', ...clean } },
    },
  }) as string;
}

/** A ManagedObjectReference element. */
export const morNode = (type: string, value: string): BNode => ({ '@_type': type, '#text': value });
