import type { FirmwareComponent } from './inventory.schema';

/**
 * A component's FQDD: given, or the part of its id after `__` — iDRAC's Redfish member ids
 * (`Installed-159-1.8.2__BIOS.Setup.1-1`) and OME's WS-Man instance ids (`DCIM:INSTALLED#741__BIOS.Setup.1-1`)
 * both end so.
 */
export function fqddOf(fw: Pick<FirmwareComponent, 'id' | 'fqdd'>): string | undefined {
  if (fw.fqdd) return fw.fqdd;
  const at = fw.id.indexOf('__');
  return at < 0 ? undefined : fw.id.slice(at + 2);
}

/**
 * The installed BIOS version, read from a server's firmware list. The server record keeps no copy of its
 * own: each source replaces the whole list, so a copy on the server record would outlive the list it
 * came from (an OME sync after an iDRAC read) and show a version the list does not.
 */
export function biosVersionOf(
  firmware: readonly Pick<FirmwareComponent, 'id' | 'fqdd' | 'version'>[],
): string | undefined {
  return firmware.find((f) => fqddOf(f)?.startsWith('BIOS.'))?.version;
}
