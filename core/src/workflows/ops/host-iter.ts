import { z } from 'zod';
import { CommandOutputs, HostState } from '../../relay/commands';
import { PlanRef, StepError } from './state.schema';

/**
 * One host's iteration state in the Hosts and ApplyNow Maps: the host a ref (no firmware; the ops that need it
 * load its 'plan' item, host-plan.op.ts).
 */
export const HostIterState = z.looseObject({
  jobId: z.string(),
  host: PlanRef,
  error: StepError.optional(),
  probeError: StepError.optional(),
  probe: HostState.loose().optional(),
  verify: z.object({ v: CommandOutputs['firmware.verify'] }).optional(),
  fw: z.looseObject({ firmware: z.array(z.unknown()) }).optional(),
  /** host-begin's answer: whether this host's window used maintenance mode. */
  begin: z.looseObject({ v: z.looseObject({ maintenance: z.boolean().optional() }) }).optional(),
});
