import { XMLParser } from 'fast-xml-parser';

/** One XML element, namespace prefixes stripped from its name (vim25 clients differ in how they prefix). */
export interface XNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly XNode[];
}

type OrderedEntry = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Values stay strings: a moref such as `1` or a name such as `true` must not become a number or boolean.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

function toNode(entry: OrderedEntry): XNode | undefined {
  const name = Object.keys(entry).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?')) return undefined;
  const raw = entry[name];
  const kids = Array.isArray(raw) ? (raw as OrderedEntry[]) : [];
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry[':@'] ?? {})) {
    // `xsi:type` (any prefix bound to XMLSchema-instance in practice) is kept apart from the plain `type` of a moref.
    if (k.endsWith(':type')) attrs['xsi:type'] = localName(String(v));
    else if (!k.startsWith('xmlns')) attrs[localName(k)] = String(v);
  }
  let text = '';
  const children: XNode[] = [];
  for (const kid of kids) {
    if ('#text' in kid) text += String(kid['#text']);
    else {
      const node = toNode(kid);
      if (node) children.push(node);
    }
  }
  return { name: localName(name), attrs, text, children };
}

/** Parses an XML document into its root element; throws on malformed XML. */
export function parseXml(xml: string): XNode {
  const entries = parser.parse(xml) as OrderedEntry[];
  for (const e of entries) {
    const node = toNode(e);
    if (node) return node;
  }
  throw new Error('XML document has no root element');
}

export function child(node: XNode, name: string): XNode | undefined {
  return node.children.find((c) => c.name === name);
}

export function childrenNamed(node: XNode, name: string): XNode[] {
  return node.children.filter((c) => c.name === name);
}

export function childText(node: XNode, name: string): string | undefined {
  return child(node, name)?.text;
}
