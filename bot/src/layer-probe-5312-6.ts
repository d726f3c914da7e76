import * as probe from '@rackops/core';

export const used = probe;
