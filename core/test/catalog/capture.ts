import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firmwareFromRedfish } from '../../src/catalog/redfish-firmware';
import type { FirmwareComponent } from '../../src/inventory/inventory.schema';

/** The shared fixtures live beside the repository (`<repo>/../shared`), or where RACKOPS_SHARED_DIR says. */
export function sharedDir(): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  return process.env.RACKOPS_SHARED_DIR ?? resolve(repo, '..', 'shared');
}

export const R750 = (): string => join(sharedDir(), 'fixtures/redfish/dell-poweredge-r750/redfish/v1');

const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, 'utf8'));

/** The real R750's FirmwareInventory members, converted. */
export function captureFirmware(): FirmwareComponent[] {
  const dir = join(R750(), 'UpdateService/FirmwareInventory');
  if (!existsSync(dir)) throw new Error(`R750 capture not found at ${dir}; set RACKOPS_SHARED_DIR`);
  return readdirSync(dir)
    .filter((d) => d.includes('-') && existsSync(join(dir, d, 'index.json')))
    .map((d) => firmwareFromRedfish(readJson(join(dir, d, 'index.json'))))
    .filter((f): f is FirmwareComponent => f !== undefined);
}

/** `Oem.Dell.DellSystem` of the capture: SystemID 2318, service tag F54P1G3. */
export function captureSystem(): { serviceTag: string; systemId: number; model: string; serial: string } {
  const sys = readJson(join(R750(), 'Systems/System.Embedded.1/index.json')) as {
    SKU: string;
    Model: string;
    SerialNumber: string;
    Oem: { Dell: { DellSystem: { SystemID: number } } };
  };
  return {
    serviceTag: sys.SKU,
    systemId: sys.Oem.Dell.DellSystem.SystemID,
    model: sys.Model,
    serial: sys.SerialNumber,
  };
}
