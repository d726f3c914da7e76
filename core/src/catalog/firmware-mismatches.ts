import { FirmwareComponent } from '../inventory/inventory.schema';
import { isInstalledFirmware } from './redfish-firmware';

/** Id the agent stages and verifies by: the SoftwareId, or the FQDD for PCI devices whose SoftwareId is 0. */
export const componentKey = (fw: Pick<FirmwareComponent, 'softwareId' | 'fqdd' | 'id'>): string =>
  fw.softwareId && fw.softwareId !== '0' ? fw.softwareId : (fw.fqdd ?? fw.id);

export interface Mismatch {
  componentId: string;
  expected: string;
  installed?: string;
}

/** A firmware read judged against the expected versions: ok when no expected component is off. */
export interface FirmwareVerdict {
  ok: boolean;
  mismatches: Mismatch[];
}

/**
 * The one firmware verdict: expected components not at their version in a firmware read (installed entries
 * only, matched by componentKey). Given by firmware.verify and after a reboot (the agent) and after an
 * in-service update (JobOps).
 */
export function firmwareVerdict(
  expected: readonly { componentId: string; version: string }[],
  firmware: readonly unknown[],
): FirmwareVerdict {
  const mismatches = firmwareMismatches(expected, firmware);
  return { ok: mismatches.length === 0, mismatches };
}

function firmwareMismatches(
  expected: readonly { componentId: string; version: string }[],
  firmware: readonly unknown[],
): Mismatch[] {
  const installed = firmware.flatMap((f) => {
    const p = FirmwareComponent.safeParse(f);
    return p.success && isInstalledFirmware(p.data) ? [p.data] : [];
  });
  return expected.flatMap((e) => {
    const have = installed.filter((c) => componentKey(c) === e.componentId);
    if (have.length > 0 && have.every((c) => c.version === e.version)) return [];
    const other = have.find((c) => c.version !== e.version);
    return [
      { componentId: e.componentId, expected: e.version, ...(other ? { installed: other.version } : {}) },
    ];
  });
}

/** `id: expected v, found w; …` for a report line. */
export const describeMismatches = (mismatches: readonly Mismatch[]): string =>
  mismatches
    .map((m) => `${m.componentId}: expected ${m.expected}, found ${m.installed ?? 'none'}`)
    .join('; ');
