import * as probe from '@rackops/infra';

export const used = probe;
