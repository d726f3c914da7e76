export * from './apply-resolution';
export * from './classify';
export * from './resolution.schema';
