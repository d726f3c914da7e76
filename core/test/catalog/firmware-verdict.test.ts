import { describeMismatches, firmwareVerdict } from '@rackops/core/catalog/firmware-mismatches';
import { describe, expect, it } from 'vitest';

const fw = (id: string, softwareId: string, version: string, fqdd?: string) => ({
  id,
  name: id,
  version,
  softwareId,
  ...(fqdd ? { fqdd } : {}),
});
const BIOS = fw('Installed-159-2.19.1', '159', '2.19.1');
const BIOS_PREVIOUS = fw('Previous-159-2.18.0', '159', '2.18.0');
const DISK = fw('Installed-0-A02__Disk.Bay.0', '0', 'A02', 'Disk.Bay.0:Enclosure.Internal.0-1');
const DISK_KEY = 'Disk.Bay.0:Enclosure.Internal.0-1';

describe('firmwareVerdict: the one verdict on a firmware read against the expected versions', () => {
  it.each([
    { name: 'nothing expected', expected: [], firmware: [BIOS], mismatches: [] },
    {
      name: 'expected at its version (by SoftwareId)',
      expected: [{ componentId: '159', version: '2.19.1' }],
      firmware: [BIOS],
      mismatches: [],
    },
    {
      name: 'a PCI device matched by FQDD (SoftwareId 0)',
      expected: [{ componentId: DISK_KEY, version: 'A02' }],
      firmware: [DISK],
      mismatches: [],
    },
    {
      name: 'at another version',
      expected: [{ componentId: '159', version: '2.20.0' }],
      firmware: [BIOS],
      mismatches: [{ componentId: '159', expected: '2.20.0', installed: '2.19.1' }],
    },
    {
      name: 'not in the read at all',
      expected: [{ componentId: '999', version: '1.0' }],
      firmware: [BIOS],
      mismatches: [{ componentId: '999', expected: '1.0' }],
    },
    {
      name: 'only a Previous- entry at the version: not installed, so missing',
      expected: [{ componentId: '159', version: '2.18.0' }],
      firmware: [BIOS_PREVIOUS],
      mismatches: [{ componentId: '159', expected: '2.18.0' }],
    },
    {
      name: 'an entry that is not a firmware component is passed over',
      expected: [{ componentId: '159', version: '2.19.1' }],
      firmware: [{ garbage: true }, BIOS],
      mismatches: [],
    },
    {
      name: 'one of two copies behind',
      expected: [{ componentId: '159', version: '2.19.1' }],
      firmware: [BIOS, fw('Installed-159-2.17.0__x', '159', '2.17.0')],
      mismatches: [{ componentId: '159', expected: '2.19.1', installed: '2.17.0' }],
    },
  ])('$name', ({ expected, firmware, mismatches }) => {
    expect(firmwareVerdict(expected, firmware)).toEqual({ ok: mismatches.length === 0, mismatches });
  });

  it('says each mismatch for a report line', () => {
    const { mismatches } = firmwareVerdict(
      [
        { componentId: '159', version: '2.20.0' },
        { componentId: '999', version: '1.0' },
      ],
      [BIOS],
    );
    expect(describeMismatches(mismatches)).toBe(
      '159: expected 2.20.0, found 2.19.1; 999: expected 1.0, found none',
    );
  });
});
