export * from './capacity';
export * from './makespan';
export * from './plan';
