import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { firmwareFromRedfish } from '../../src/catalog/redfish-firmware';
import type { FirmwareComponent } from '../../src/inventory/inventory.schema';

/**
 * The R750 capture the lab vendors (`lab/fixtures/redfish/dell-poweredge-r750/capture.json.gz`), read here with
 * node:zlib alone: core's tests import nothing from the lab.
 */
const PACK = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../lab/fixtures/redfish/dell-poweredge-r750/capture.json.gz',
);
const V1 = '/redfish/v1';

let resources: Record<string, string> | undefined;
function resource(path: string): Record<string, unknown> {
  resources ??= (
    JSON.parse(gunzipSync(readFileSync(PACK)).toString('utf8')) as { resources: Record<string, string> }
  ).resources;
  const text = resources[`${V1}/${path}`];
  if (text === undefined) throw new Error(`R750 capture has no ${V1}/${path} (${PACK})`);
  return JSON.parse(text);
}

function members(prefix: string): string[] {
  resource(prefix);
  return Object.keys(resources ?? {})
    .filter((p) => p.startsWith(`${V1}/${prefix}/`) && !p.slice(V1.length + prefix.length + 2).includes('/'))
    .map((p) => p.slice(V1.length + 1));
}

/** The real R750's FirmwareInventory members, converted. */
export function captureFirmware(): FirmwareComponent[] {
  return members('UpdateService/FirmwareInventory')
    .filter((p) => p.slice(p.lastIndexOf('/') + 1).includes('-'))
    .map((p) => firmwareFromRedfish(resource(p)))
    .filter((f): f is FirmwareComponent => f !== undefined);
}

/** `Oem.Dell.DellSystem` of the capture: SystemID 2318, service tag F54P1G3. */
export function captureSystem(): { serviceTag: string; systemId: number; model: string; serial: string } {
  const sys = resource('Systems/System.Embedded.1') as {
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
