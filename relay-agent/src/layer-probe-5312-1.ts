import * as probe from '@rackops/lambdas';

export const used = probe;
