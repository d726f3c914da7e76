import type { DeviceRegistry } from '../devices/device-registry';
import { toFirmwareComponent } from '../redfish/firmware-map';
import type { CommandHandler } from './command-context';

/** firmware.verify — read-only: installed versions (by SoftwareId = catalog componentID) against the expected ones. */
export function createVerifyFirmwareHandler(devices: DeviceRegistry): CommandHandler<'firmware.verify'> {
  return async (params, ctx) => {
    const installed = (await devices.idrac(ctx.target.id).firmwareInventory()).map(toFirmwareComponent);
    const mismatches = params.expected.flatMap((e) => {
      const have = installed.filter((c) => c.softwareId === e.componentId);
      if (have.length > 0 && have.every((c) => c.version === e.version)) return [];
      const other = have.find((c) => c.version !== e.version);
      return [
        { componentId: e.componentId, expected: e.version, ...(other ? { installed: other.version } : {}) },
      ];
    });
    return { ok: mismatches.length === 0, mismatches };
  };
}
