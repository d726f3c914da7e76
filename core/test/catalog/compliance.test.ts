import { describe, expect, it } from 'vitest';
import { buildCatalogXml, type CatalogEntryInput } from '../../src/catalog/catalog-build';
import { createCatalogMatcher, hostCompliance, packageUrl } from '../../src/catalog/catalog-match';
import { systemIdHex } from '../../src/catalog/catalog.schema';
import { parseCatalogXml } from '../../src/catalog/catalog-xml';
import { summarizeClusterCompliance } from '../../src/catalog/cluster-compliance';
import { captureFirmware, captureSystem } from './capture';

const R750 = '090E';
const OTHER_MODEL = '0A6B';
const entry = (
  path: string,
  vendorVersion: string,
  device: {
    componentId?: string;
    pci?: { vendorId: string; deviceId: string; subVendorId?: string; subDeviceId?: string }[];
  },
  extra: Partial<CatalogEntryInput> = {},
): CatalogEntryInput => ({
  path,
  name: path,
  vendorVersion,
  devices: [{ componentId: device.componentId, pci: device.pci ?? [] }],
  systemIds: [R750],
  ...extra,
});

/** A catalog written for the real R750 capture: some newer, some equal, some older, and decoys. */
const CATALOG = parseCatalogXml(
  buildCatalogXml({
    baseLocation: 'repo.example.test/dell',
    protocols: ['HTTPS'],
    components: [
      entry(
        'BIOS_1.9.2.EXE',
        '1.9.2',
        { componentId: '159' },
        { criticality: 'Urgent', rebootRequired: true },
      ),
      entry('BIOS_1.8.9.EXE', '1.8.9', { componentId: '159' }),
      entry('iDRAC_6.10.80.00.EXE', '6.10.80.00', { componentId: '25227' }, { rebootRequired: false }),
      entry('PSU_00.2B.01.EXE', '00.2B.01', { componentId: '108076' }, { criticality: 'Optional' }),
      entry('Diag_4301A62.EXE', '4301A62', { componentId: '25806' }, { rebootRequired: false }),
      entry('BCM57414_21.80.16.95.EXE', '21.80.16.95', { componentId: '108089' }),
      entry('TPM_7.2.1.0.EXE', '7.2.1.0', { componentId: '109673' }),
      entry('CX6_20.36.10.10.EXE', '20.36.10.10', {
        componentId: '0',
        pci: [{ vendorId: '15B3', deviceId: '101B', subVendorId: '15B3', subDeviceId: '0009' }],
      }),
      // Same PCI vendor/device as the capture's disks but another subsystem: not this disk.
      entry('SSD_9.9.9.EXE', '9.9.9', {
        pci: [{ vendorId: '1E0F', deviceId: '0007', subVendorId: '1028', subDeviceId: 'FFFF' }],
      }),
      // CPLD only for another model: must not apply to the R750.
      entry('CPLD_1.0.9.EXE', '1.0.9', { componentId: '27763' }, { systemIds: [OTHER_MODEL] }),
      // Display-name lookalike with another component id: names never match.
      { ...entry('BIOS_LOOKALIKE.EXE', '99.0.0', { componentId: '99999' }), name: 'BIOS' },
    ],
  }),
);

describe('compliance of the real R750 capture against a catalog', () => {
  const system = captureSystem();
  const firmware = captureFirmware();
  const result = hostCompliance(createCatalogMatcher(CATALOG), { ...system }, firmware);
  const byFqdd = (fqdd: string) => result.components.find((c) => c.fqdd === fqdd);

  it('uses the capture: SystemID 2318 is 090E, service tag F54P1G3', () => {
    expect(system.systemId).toBe(2318);
    expect(systemIdHex(system.systemId)).toBe(R750);
    expect(result.systemIdHex).toBe(R750);
    expect(result.serviceTag).toBe('F54P1G3');
  });

  it('ignores rollback, duplicate and staged entries from Redfish and OME', () => {
    const bios = firmware.find((f) => f.softwareId === '159' && f.id.startsWith('Installed-'))!;
    const extra = [
      { ...bios, id: 'DCIM:PREVIOUS#741__BIOS.Setup.1-1', version: '1.0.0' },
      { ...bios, id: 'DCIM:AVAILABLE#741__BIOS.Setup.1-1', version: '1.9.2' },
      { ...bios, id: 'DCIM:INSTALLED#741__BIOS.Setup.1-1' },
    ];
    const r = hostCompliance(createCatalogMatcher(CATALOG), system, [...firmware, ...extra]);
    expect(r.components.map((c) => c.firmwareId).filter((id) => id.includes('741__'))).toEqual([
      'DCIM:INSTALLED#741__BIOS.Setup.1-1',
    ]);
  });

  it('considers only Installed members (not Previous or Current)', () => {
    expect(result.components.every((c) => c.firmwareId.startsWith('Installed-'))).toBe(true);
    expect(result.components).toHaveLength(21);
  });

  it('matches by SoftwareId == componentID and takes the highest version', () => {
    expect(byFqdd('BIOS.Setup.1-1')).toMatchObject({
      installed: '1.8.2',
      available: '1.9.2',
      status: 'update_available',
      updateNeeded: true,
      criticality: 'Urgent',
      rebootRequired: true,
    });
    expect(byFqdd('BIOS.Setup.1-1')?.package?.path).toBe('BIOS_1.9.2.EXE');
    expect(byFqdd('iDRAC.Embedded.1-1')).toMatchObject({
      available: '6.10.80.00',
      updateNeeded: true,
      rebootRequired: false,
    });
  });

  it('compares Dell mixed formats: hex PSU versions and lettered diagnostics builds', () => {
    expect(byFqdd('PSU.Slot.1')).toMatchObject({
      installed: '00.2A.2B',
      available: '00.2B.01',
      updateNeeded: true,
    });
    expect(byFqdd('PSU.Slot.2')?.updateNeeded).toBe(true);
    expect(byFqdd('Diagnostics.Embedded.1:LC.Embedded.1')).toMatchObject({
      installed: '4301A56',
      updateNeeded: true,
    });
  });

  it('reports equal versions up to date and older catalog versions as newer than catalog', () => {
    expect(byFqdd('NIC.Integrated.1-1-1')).toMatchObject({ status: 'up_to_date', updateNeeded: false });
    expect(byFqdd('TPM.Integrated.1-1')).toMatchObject({ status: 'newer_than_catalog', updateNeeded: false });
  });

  it('matches SoftwareId 0 devices by PCI ids, subsystem ids included', () => {
    expect(byFqdd('InfiniBand.Slot.7-1')).toMatchObject({
      softwareId: '0',
      available: '20.36.10.10',
      updateNeeded: true,
    });
    expect(byFqdd('Disk.Bay.0:Enclosure.Internal.0-1')).toMatchObject({
      status: 'not_in_catalog',
      updateNeeded: false,
    });
  });

  it('ignores packages for other models and display-name lookalikes', () => {
    expect(byFqdd('CPLD.Embedded.1')).toMatchObject({ status: 'not_in_catalog' });
    expect(result.components.some((c) => c.available === '99.0.0')).toBe(false);
  });

  it('summarises the host: updates needed, reboot, highest criticality', () => {
    // BIOS, iDRAC, PSU x2, diagnostics, CX6 x2
    expect(result).toMatchObject({
      status: 'updates_available',
      updatesNeeded: 7,
      rebootRequired: true,
      highestCriticality: 'Urgent',
    });
  });

  it('is unknown, never compliant, without a SystemID or firmware', () => {
    const m = createCatalogMatcher(CATALOG);
    expect(hostCompliance(m, { serviceTag: 'X' }, firmware)).toMatchObject({
      status: 'unknown',
      reason: 'server SystemID unknown',
    });
    expect(hostCompliance(m, { serviceTag: 'X', systemId: 2318 }, [])).toMatchObject({ status: 'unknown' });
    const otherModel = hostCompliance(m, { serviceTag: 'X', systemId: 0x0a6b }, firmware);
    expect(otherModel.components.find((c) => c.fqdd === 'CPLD.Embedded.1')?.available).toBe('1.0.9');
  });

  it('resolves package URLs from the catalog base location', () => {
    expect(packageUrl(CATALOG, 'BIOS_1.9.2.EXE')).toBe('https://repo.example.test/dell/BIOS_1.9.2.EXE');
    const noBase = { ...CATALOG, baseLocation: undefined };
    expect(packageUrl(noBase, 'F/x.EXE', 'https://127.0.0.1:9443/catalog/Catalog.xml')).toBe(
      'https://127.0.0.1:9443/catalog/F/x.EXE',
    );
  });

  it('summarises a cluster per host and counts unlinked hosts as unknown', () => {
    const compliant = hostCompliance(
      createCatalogMatcher(CATALOG),
      system,
      firmware.filter((f) => f.fqdd === 'NIC.Integrated.1-1-1'),
    );
    const summary = summarizeClusterCompliance({ id: 'vc1/domain-c1', name: 'prod' }, [
      { id: 'F54P1G3', name: 'esx01', compliance: result },
      { id: 'B', name: 'esx02', compliance: compliant },
      { id: 'C', name: 'esx03' },
    ]);
    expect(summary).toMatchObject({
      hosts: 3,
      compliant: 1,
      needingUpdate: 1,
      unknown: 1,
      highestCriticality: 'Urgent',
      updates: { Urgent: 1, Recommended: 4, Optional: 2 },
    });
    expect(summary.rows.map((r) => r.hostName)).toEqual(['esx01', 'esx02', 'esx03']);
    expect(summary.rows[2]?.reason).toBe('no Dell server linked to this host');
  });
});
