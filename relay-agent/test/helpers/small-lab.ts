import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { smallLab as labOf } from '@rackops/lab/testing/small-lab';

/** One host (TEST001) unless asked for more: relay tests mostly talk to a single iDRAC. */
export const smallLab = (n = 1, extra: Partial<LabConfigInput> = {}): LabConfigInput => labOf(n, extra);
