import type { Capture } from '../idrac/capture';

/**
 * The capture's `Oem.Dell.DellSystem.SystemID` (2318 for the R750): every lab host is that model, so the
 * iDRAC (which serves the capture), OME's device list and the repository's catalog all give this one value.
 */
export function labSystemId(world: { capture: Capture }): number {
  const sys = world.capture.json('/redfish/v1/Systems/System.Embedded.1') as {
    Oem?: { Dell?: { DellSystem?: { SystemID?: number } } };
  };
  return sys.Oem?.Dell?.DellSystem?.SystemID ?? 2318;
}
