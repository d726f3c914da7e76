/*
 * Why fast-xml-parser is allowed in core/: core must stay free of I/O (no network, no AWS SDK, no
 * processes) so that its logic runs the same in a Lambda, the relay agent, the lab and tests. Parsing
 * XML is pure computation on a string — no I/O — and a Dell catalog is domain input that the relay
 * agent (on-prem repository), the preflight (JobOps Lambda), the bot (compliance) and the lab all need
 * to read identically. Keeping one parser here avoids three copies in adapters. Fetching the catalog
 * (URL or file) stays outside core: see lambdas/src/handlers/inventory-catalog.ts. This is the only
 * core file that imports fast-xml-parser.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CatalogParseError } from './catalog-errors';
import {
  type Catalog,
  type CatalogComponent,
  type CatalogDevice,
  Criticality,
  type PciIds,
} from './catalog.schema';

/** An element as fast-xml-parser gives it (`@_attr`, children by name, `#text`); catalog-sax builds the same. */
export type Node = Record<string, unknown>;

const REPEATED = new Set([
  'SoftwareComponent',
  'Device',
  'PCIInfo',
  'Brand',
  'Model',
  'Hash',
  'Display',
  'SoftwareBundle',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Versions like `00.2A.2B` and ids like `090E` must stay strings.
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name),
});

/**
 * Decode catalog bytes: Dell publishes Catalog.xml as UTF-16 LE with a byte-order mark; repositories
 * re-exported by tools are often UTF-8. Decide by BOM, then by the NUL pattern of UTF-16 text.
 */
export function decodeCatalogBytes(bytes: Uint8Array): string {
  const [b0, b1] = [bytes[0], bytes[1]];
  if (b0 === 0xff && b1 === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (b0 === 0xfe && b1 === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (b0 === 0x3c && b1 === 0x00) return new TextDecoder('utf-16le').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

/** Parse a Dell `Catalog.xml`. Throws CatalogParseError naming the problem (and line) when it is not one. */
export function parseCatalogXml(xml: string): Catalog {
  const text = xml.replace(/^\uFEFF/, '');
  if (!text.trim()) throw new CatalogParseError('catalog is empty');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    // The validator reports unclosed elements as a JSON-ish list: say what that means.
    const unclosed = /^Invalid '\[(.*)\]' found/s.exec(msg)?.[1];
    if (unclosed !== undefined) {
      const tags = unclosed.split(',').map((t) => `<${t.trim().replace(/^"|"$/g, '')}>`);
      throw new CatalogParseError(
        `catalog is not well-formed XML: unclosed ${tags.join(', ')} (truncated file?)`,
      );
    }
    throw new CatalogParseError(`catalog is not well-formed XML: ${msg} (line ${line}, column ${col})`);
  }
  const doc = parser.parse(text) as Node;
  const manifest = doc.Manifest;
  if (!isNode(manifest)) {
    const root = Object.keys(doc).find((k) => !k.startsWith('?')) ?? '(none)';
    throw new CatalogParseError(`not a Dell catalog: root element is <${root}>, expected <Manifest>`);
  }
  const warnings: string[] = [];
  const components: CatalogComponent[] = [];
  nodes(manifest.SoftwareComponent).forEach((node, index) => {
    const c = readComponent(node);
    if (typeof c === 'string') warnings.push(`SoftwareComponent #${index + 1} skipped: ${c}`);
    else components.push(c);
  });
  return catalogOf(manifest, components, warnings, components.length);
}

/**
 * The Catalog of a `<Manifest>` and its read components; throws when none was usable (`usable` counts
 * the usable components before any model filter, so a catalog without the fleet's models is not an error).
 */
export function catalogOf(
  manifest: Node,
  components: CatalogComponent[],
  warnings: string[],
  usable: number,
): Catalog {
  if (usable === 0) {
    const why = warnings.length ? ` (${warnings.slice(0, 3).join('; ')})` : '';
    throw new CatalogParseError(`catalog has no usable SoftwareComponent${why}`);
  }
  const protocols = attr(manifest, 'baseLocationAccessProtocols');
  return {
    baseLocation: attr(manifest, 'baseLocation'),
    baseLocationAccessProtocols: protocols ? protocols.split(',').map((p) => p.trim().toUpperCase()) : [],
    version: attr(manifest, 'version'),
    releaseId: attr(manifest, 'releaseID'),
    dateTime: attr(manifest, 'dateTime'),
    components,
    warnings,
  };
}

/** A component, or the reason it is unusable. */
export function readComponent(n: Node): CatalogComponent | string {
  const path = attr(n, 'path');
  const vendorVersion = attr(n, 'vendorVersion');
  const label = path ?? attr(n, 'packageID') ?? '(no path)';
  if (!path) return 'missing path';
  if (!vendorVersion) return `${label}: missing vendorVersion`;
  const rebootRaw = attr(n, 'rebootRequired');
  const sizeRaw = attr(n, 'size');
  const sha256 = nodes(child(n, 'Cryptography')?.Hash).find(
    (h) => attr(h, 'algorithm')?.toUpperCase() === 'SHA256',
  );
  return {
    path,
    name: display(child(n, 'Name')) ?? label,
    vendorVersion,
    dellVersion: attr(n, 'dellVersion'),
    releaseId: attr(n, 'releaseID'),
    packageType: attr(n, 'packageType'),
    componentType: attr(child(n, 'ComponentType'), 'value'),
    hashMd5: attr(n, 'hashMD5')?.toLowerCase(),
    sha256: sha256 ? text(sha256)?.toLowerCase() : undefined,
    criticality: readCriticality(child(n, 'Criticality')),
    // Dell omits rebootRequired on a few package types; assume a reboot (the safe side).
    rebootRequired: rebootRaw === undefined ? true : rebootRaw.toLowerCase() !== 'false',
    releaseDate: attr(n, 'releaseDate'),
    size: sizeRaw && /^\d+$/.test(sizeRaw) ? Number(sizeRaw) : undefined,
    devices: nodes(child(n, 'SupportedDevices')?.Device).map(readDevice),
    systemIds: systemIdsOf(n),
  };
}

/** `SupportedSystems/Brand/Model/@systemID` of a component element, upper case. */
export function systemIdsOf(n: Node): string[] {
  return nodes(child(n, 'SupportedSystems')?.Brand).flatMap((b) =>
    nodes(b.Model)
      .map((m) => attr(m, 'systemID')?.toUpperCase())
      .filter((s): s is string => !!s),
  );
}

function readDevice(d: Node): CatalogDevice {
  const pci: PciIds[] = [];
  for (const p of nodes(d.PCIInfo)) {
    const vendorId = attr(p, 'vendorID');
    const deviceId = attr(p, 'deviceID');
    if (!vendorId || !deviceId) continue;
    pci.push({
      vendorId: vendorId.toUpperCase(),
      deviceId: deviceId.toUpperCase(),
      subVendorId: attr(p, 'subVendorID')?.toUpperCase(),
      subDeviceId: attr(p, 'subDeviceID')?.toUpperCase(),
    });
  }
  return { componentId: attr(d, 'componentID'), name: display(d), pci };
}

/** `<Criticality value="0|1|2">` with a Display text; Dell: 0 Optional, 1 Recommended, 2 Urgent. */
function readCriticality(n: Node | undefined): Criticality {
  const shown = display(n);
  const named = Criticality.safeParse(shown);
  if (named.success) return named.data;
  const byValue: Record<string, Criticality> = { '0': 'Optional', '1': 'Recommended', '2': 'Urgent' };
  return byValue[attr(n, 'value') ?? ''] ?? 'Recommended';
}

const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? v.filter(isNode) : isNode(v) ? [v] : []);
const child = (n: Node | undefined, name: string): Node | undefined => nodes(n?.[name])[0];
function attr(n: Node | undefined, name: string): string | undefined {
  const v = n?.[`@_${name}`];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
function text(n: unknown): string | undefined {
  if (typeof n === 'string') return n.trim() || undefined;
  if (isNode(n) && typeof n['#text'] === 'string') return n['#text'].trim() || undefined;
  return undefined;
}
/** English `Display` text of an element (Dell repeats it per language; CDATA is merged into the text). */
function display(n: Node | undefined): string | undefined {
  const raw = n?.Display;
  const all: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const en = all.find((d) => isNode(d) && (attr(d, 'lang') ?? 'en').toLowerCase().startsWith('en')) ?? all[0];
  return text(en);
}
