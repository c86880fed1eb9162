/** Data: irregular batches, generators and a CSV loader. */
export * from './batch.js';
export * from './spirals.js';
export * from './ou.js';
export * from './lorenz.js';
export * from './mocap.js';
export * from './csv.js';
export * from './uea.js';
export * from './spiral-directions.js';
