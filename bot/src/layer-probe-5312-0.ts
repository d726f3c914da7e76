import * as probe from '@aws-sdk/client-dynamodb';

export const used = probe;
