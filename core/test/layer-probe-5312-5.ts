import * as probe from 'aws-cdk-lib';

export const used = probe;
