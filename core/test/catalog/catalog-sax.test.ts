import { describe, expect, it } from 'vitest';
import { buildCatalogXml } from '../../src/catalog/catalog-build';
import { CatalogParseError } from '../../src/catalog/catalog-errors';
import {
  CatalogStreamParser,
  parseCatalogChunks,
  parseCatalogStreaming,
} from '../../src/catalog/catalog-sax';
import type { Catalog } from '../../src/catalog/catalog.schema';
import { decodeCatalogBytes, parseCatalogXml } from '../../src/catalog/catalog-xml';
import { DELL_STYLE, MALFORMED } from './dell-style.fixture';

const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => {
  const le = Buffer.from(s, 'utf16le');
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le.swap16()]);
};

/** Feed `bytes` in chunks of `size` (odd sizes split UTF-16 code units and surrogate pairs). */
function inChunks(bytes: Uint8Array, size: number): Catalog {
  const p = new CatalogStreamParser();
  for (let i = 0; i < bytes.length; i += size) p.write(bytes.subarray(i, i + size));
  return p.end();
}

const ODD = buildCatalogXml({
  baseLocation: 'https://127.0.0.1:8443/repo',
  version: '26.11.00',
  components: [
    {
      path: 'a/b & c.EXE',
      name: 'Odd <name> ]]> here — ünïcode 𝄞',
      vendorVersion: '00.2B.01',
      devices: [{ componentId: '108076', pci: [] }],
      systemIds: ['090E', '0A6B'],
      criticality: 'Recommended',
      rebootRequired: false,
      sha256: 'ff',
    },
    {
      path: 'n/nic.EXE',
      name: 'NIC',
      vendorVersion: '22.31.6',
      devices: [{ pci: [{ vendorId: '14e4', deviceId: '16d7', subVendorId: '1028', subDeviceId: '0A6B' }] }],
      systemIds: ['0A6B'],
      size: 12,
      criticality: 'Urgent',
    },
  ],
});

describe('CatalogStreamParser gives what parseCatalogXml gives', () => {
  it.each([
    ['Dell-style', DELL_STYLE],
    ['generated, with entities, CDATA and astral characters', ODD],
  ])('%s: UTF-8, UTF-16 LE/BE, any chunking', (_name, xml) => {
    const old = parseCatalogXml(xml);
    expect(parseCatalogStreaming(xml)).toEqual(old);
    expect(parseCatalogStreaming(utf16le(xml))).toEqual(parseCatalogXml(decodeCatalogBytes(utf16le(xml))));
    expect(parseCatalogStreaming(utf16be(xml))).toEqual(old);
    for (const size of [1, 3, 7, 64]) expect(inChunks(utf16le(xml), size)).toEqual(old);
    expect(inChunks(Buffer.from(xml, 'utf8'), 5)).toEqual(old);
  });

  it('skips an incomplete component with the same warning', () => {
    const xml = DELL_STYLE.replace('vendorVersion="20.36.10.10"', '');
    expect(parseCatalogStreaming(xml)).toEqual(parseCatalogXml(xml));
    expect(parseCatalogStreaming(xml).warnings).toHaveLength(1);
  });

  it('reads an async stream of chunks', async () => {
    async function* chunks() {
      const b = utf16le(ODD);
      for (let i = 0; i < b.length; i += 100) yield b.subarray(i, i + 100);
    }
    expect(await parseCatalogChunks(chunks())).toEqual(parseCatalogXml(ODD));
  });

  describe('a malformed catalog gives the same clear error', () => {
    it.each(MALFORMED)('%s', (_name, xml, message) => {
      expect(() => parseCatalogStreaming(xml)).toThrow(CatalogParseError);
      expect(() => parseCatalogStreaming(xml)).toThrow(message);
      expect(() => inChunks(utf16le(xml), 3)).toThrow(message);
    });
    it.each([
      ['text before the root', 'Service Unavailable', /no XML element|text before the root/],
      ['two roots', `${DELL_STYLE}<Manifest/>`, /second root element <Manifest>/],
      ['stray close', '<Manifest></Manifest></Manifest>', /closing tag <\/Manifest> without an open element/],
      ['a UTF-16 file cut mid-character', utf16le(DELL_STYLE).subarray(0, 1001), /unclosed <Manifest>/],
    ])('%s', (_name, input, message) => {
      expect(() => parseCatalogStreaming(input)).toThrow(CatalogParseError);
      expect(() => parseCatalogStreaming(input)).toThrow(message);
    });
    it('an element named __proto__ stays data', () => {
      const xml = DELL_STYLE.replace(
        '<Criticality value="0"/>',
        '<__proto__ polluted="1"/><Criticality value="0"/>',
      );
      expect(parseCatalogStreaming(xml).components).toHaveLength(2);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});

describe('keeping only the fleet’s models', () => {
  it('keeps components for those models and only those models in them', () => {
    const all = parseCatalogXml(ODD);
    const only = parseCatalogStreaming(ODD, { systemIds: ['0a6b'] });
    expect(only.components.map((c) => c.path)).toEqual(['a/b & c.EXE', 'n/nic.EXE']);
    expect(only.components.map((c) => c.systemIds)).toEqual([['0A6B'], ['0A6B']]);
    const r750 = parseCatalogStreaming(ODD, { systemIds: ['090E'] });
    expect(r750.components).toEqual([{ ...all.components[0], systemIds: ['090E'] }]);
    expect(r750.version).toBe('26.11.00');
  });

  it('a fleet whose models the catalog lacks gets an empty catalog, not an error', () => {
    expect(parseCatalogStreaming(ODD, { systemIds: ['FFFF'] }).components).toEqual([]);
    expect(parseCatalogStreaming(ODD, { systemIds: [] }).components).toEqual([]);
  });
});
