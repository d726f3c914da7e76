import { dellPciIds, pciIds } from '@rackops/core/inventory/pci-ids';
import { describe, expect, it } from 'vitest';

describe('pciIds: one reading of a component PCI ids (iDRAC Redfish, OME, the lab)', () => {
  it.each([
    {
      name: 'all four',
      ids: { vendorId: '8086', deviceId: '1572', subVendorId: '1028', subDeviceId: '1f99' },
    },
    { name: 'a device id only', ids: { deviceId: '1572' }, want: { deviceId: '1572' } },
    {
      name: 'null sub ids become absent',
      ids: { vendorId: '8086', subVendorId: null },
      want: { vendorId: '8086' },
    },
    { name: 'neither vendor nor device', ids: { subVendorId: '1028' }, want: undefined },
    { name: 'empty and null vendor and device', ids: { vendorId: '', deviceId: null }, want: undefined },
  ])('$name', ({ ids, ...rest }) => {
    const want = 'want' in rest ? rest.want : ids;
    const got = pciIds(ids);
    expect(got === undefined ? undefined : JSON.parse(JSON.stringify(got))).toEqual(want);
  });

  it('reads Dell OEM DellSoftwareInventory field names; no block means no ids', () => {
    expect(
      dellPciIds({ VendorID: '14e4', DeviceID: '16d7', SubVendorID: '1028', SubDeviceID: '0x1' }),
    ).toEqual({
      vendorId: '14e4',
      deviceId: '16d7',
      subVendorId: '1028',
      subDeviceId: '0x1',
    });
    expect(dellPciIds(undefined)).toBeUndefined();
    expect(dellPciIds({ VendorID: null, DeviceID: null })).toBeUndefined();
  });
});
