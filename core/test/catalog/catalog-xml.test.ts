import { describe, expect, it } from 'vitest';
import { CatalogParseError } from '../../src/catalog/catalog-errors';
import { buildCatalogXml } from '../../src/catalog/catalog-build';
import { decodeCatalogBytes, parseCatalogXml } from '../../src/catalog/catalog-xml';
import { DELL_STYLE, MALFORMED } from './dell-style.fixture';

describe('parseCatalogXml', () => {
  it('reads versions, path, hashes, criticality, reboot, devices and systems of a Dell-style catalog', () => {
    const cat = parseCatalogXml(DELL_STYLE);
    expect(cat).toMatchObject({
      baseLocation: 'downloads.example.test',
      baseLocationAccessProtocols: ['HTTPS', 'HTTP', 'FTP'],
      version: '26.10.00',
      releaseId: 'R1',
      warnings: [],
    });
    expect(cat.components).toHaveLength(2);
    expect(cat.components[0]).toEqual({
      path: 'FOLDER0001/1/BIOS_ABC12_WN64_1.9.2.EXE',
      name: 'Dell PowerEdge R750 BIOS',
      vendorVersion: '1.9.2',
      dellVersion: '1.9.2',
      releaseId: 'ABC12',
      packageType: 'LWXP',
      componentType: 'BIOS',
      hashMd5: '0123456789abcdef0123456789abcdef',
      sha256: 'abcdef00',
      criticality: 'Urgent',
      rebootRequired: true,
      releaseDate: 'October 01, 2026',
      size: 33554432,
      devices: [{ componentId: '159', name: 'BIOS', pci: [] }],
      systemIds: ['090E', '090F'],
    });
    expect(cat.components[1]).toMatchObject({
      vendorVersion: '20.36.10.10',
      criticality: 'Optional',
      rebootRequired: false,
      devices: [
        {
          componentId: '0',
          pci: [{ vendorId: '15B3', deviceId: '101B', subVendorId: '15B3', subDeviceId: '0009' }],
        },
      ],
      systemIds: ['090E'],
    });
  });

  it('decodes the UTF-16 LE with BOM that Dell publishes', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DELL_STYLE, 'utf16le')]);
    expect(parseCatalogXml(decodeCatalogBytes(utf16)).components).toHaveLength(2);
    expect(parseCatalogXml(decodeCatalogBytes(Buffer.from(DELL_STYLE, 'utf8'))).components).toHaveLength(2);
  });

  it('round-trips a generated catalog', () => {
    const xml = buildCatalogXml({
      baseLocation: 'https://127.0.0.1:8443/repo',
      components: [
        {
          path: 'a/b & c.EXE',
          name: 'Odd <name> ]]> here',
          vendorVersion: '00.2B.01',
          devices: [{ componentId: '108076', pci: [] }],
          systemIds: ['090E'],
          criticality: 'Recommended',
          rebootRequired: false,
          sha256: 'ff',
        },
      ],
    });
    const c = parseCatalogXml(xml).components[0];
    expect(c).toMatchObject({
      path: 'a/b & c.EXE',
      name: 'Odd <name> ]]> here',
      vendorVersion: '00.2B.01',
      sha256: 'ff',
    });
  });

  it('skips an incomplete component with a warning and keeps the rest', () => {
    const xml = DELL_STYLE.replace('vendorVersion="20.36.10.10"', '');
    const cat = parseCatalogXml(xml);
    expect(cat.components).toHaveLength(1);
    expect(cat.warnings).toEqual([
      'SoftwareComponent #2 skipped: FOLDER0002/1/Network_Firmware_X.EXE: missing vendorVersion',
    ]);
  });

  describe('a malformed catalog gives a clear error', () => {
    const cases = MALFORMED;
    it.each(cases)('%s', (_name, xml, message) => {
      expect(() => parseCatalogXml(xml)).toThrow(CatalogParseError);
      expect(() => parseCatalogXml(xml)).toThrow(message);
    });
  });
});
