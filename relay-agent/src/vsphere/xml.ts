import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { MalformedResponseError } from '../http/errors';

/** A parsed XML element; element names without namespace prefix, attributes as written. */
export interface XNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly XNode[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toNode(raw: Ordered): XNode | undefined {
  const qname = Object.keys(raw).find((k) => k !== ':@');
  if (!qname || qname === '#text' || qname === '?xml') return undefined;
  const kids = (raw[qname] as Ordered[]) ?? [];
  // Element prefixes vary by server (soapenv:, soap:, none); attributes keep theirs, because a
  // moref's `type` and a value's `xsi:type` must stay apart.
  const name = qname.slice(qname.indexOf(':') + 1);
  const children: XNode[] = [];
  let text = '';
  for (const k of kids) {
    if ('#text' in k) text += String(k['#text']);
    else {
      const n = toNode(k);
      if (n) children.push(n);
    }
  }
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw[':@'] ?? {})) attrs[k] = String(v);
  return { name, attrs, text, children };
}

export function parseXml(xml: string, what: string): XNode {
  let doc: Ordered[];
  try {
    doc = parser.parse(xml) as Ordered[];
  } catch (err) {
    throw new MalformedResponseError(what, `not XML (${(err as Error).message})`);
  }
  for (const top of doc) {
    const n = toNode(top);
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
