import { firmwareVerdict } from '@rackops/core/catalog/firmware-mismatches';
import type { DeviceRegistry } from '../devices/device-registry';
import { toFirmwareComponent } from '../redfish/firmware-map';
import type { CommandHandler } from './command-context';

/** firmware.verify — read-only: installed versions against the expected ones (SoftwareId, or FQDD for PCI devices). */
export function createVerifyFirmwareHandler(devices: DeviceRegistry): CommandHandler<'firmware.verify'> {
  return async (params, ctx) => {
    const installed = (await devices.idrac(ctx.target.id).firmwareInventory()).map(toFirmwareComponent);
    return firmwareVerdict(params.expected, installed);
  };
}
