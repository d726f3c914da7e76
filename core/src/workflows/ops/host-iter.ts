import { z } from 'zod';
import { isInstalledFirmware } from '../../catalog/redfish-firmware';
import { FirmwareComponent } from '../../inventory/inventory.schema';
import { CommandOutputs, HostState } from '../../relay/commands';
import { componentKey } from '../preflight';
import { PlanHost, StepError } from './state.schema';

/** One host's iteration state in the Hosts and ApplyNow Maps. */
export const HostIterState = z.looseObject({
  jobId: z.string(),
  host: PlanHost,
  error: StepError.optional(),
  probeError: StepError.optional(),
  probe: HostState.loose().optional(),
  verify: z.object({ v: CommandOutputs['firmware.verify'] }).optional(),
  fw: z.looseObject({ firmware: z.array(z.unknown()) }).optional(),
});

export interface Mismatch {
  componentId: string;
  expected: string;
  installed?: string;
}

/** Expected components not at their version in a firmware read, matched by the preflight's ids. */
export function firmwareMismatches(
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
