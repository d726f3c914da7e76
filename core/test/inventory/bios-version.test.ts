import { describe, expect, it } from 'vitest';
import { biosVersionOf, fqddOf } from '../../src/inventory/bios-version';

const fw = (id: string, version: string, fqdd?: string) => ({ id, version, ...(fqdd ? { fqdd } : {}) });

describe('the BIOS version of a firmware list', () => {
  it('is found whichever source wrote the list: iDRAC member ids or OME instance ids', () => {
    const idrac = [
      fw('Installed-25227-6.00.30.00__iDRAC.Embedded.1-1', '6.00.30.00'),
      fw('Installed-159-1.13.2__BIOS.Setup.1-1', '1.13.2'),
    ];
    const ome = [
      fw('DCIM:INSTALLED#iDRAC.Embedded.1-1#IDRACinfo', '6.00.30.00'),
      fw('DCIM:INSTALLED#741__BIOS.Setup.1-1', '1.8.2'),
    ];
    expect(biosVersionOf(idrac)).toBe('1.13.2');
    expect(biosVersionOf(ome)).toBe('1.8.2');
  });

  it('prefers a given FQDD, and is undefined when the list has no BIOS', () => {
    expect(fqddOf(fw('opaque-id', '2.0', 'BIOS.Setup.1-1'))).toBe('BIOS.Setup.1-1');
    expect(biosVersionOf([fw('opaque-id', '2.0', 'BIOS.Setup.1-1')])).toBe('2.0');
    expect(fqddOf(fw('DCIM:INSTALLED#iDRAC.Embedded.1-1#IDRACinfo', '6'))).toBeUndefined();
    expect(
      biosVersionOf([fw('Installed-0-2.1.3__Disk.Bay.0:Enclosure.Internal.0-1', '2.1.3')]),
    ).toBeUndefined();
  });
});
