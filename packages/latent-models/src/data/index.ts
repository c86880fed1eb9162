/** Data: irregular batches, generators and a CSV loader. */
export * from './batch.js';
export * from './spirals.js';
export * from './ou.js';
export * from './lorenz.js';
export * from './mocap.js';
export * from './csv.js';
/** Re-exported from `@nde/data`; deprecated here (removed in the next minor release): import them from `@nde/data`. */
export { parseUeaTs, ueaToTensor, type UeaDataset } from '@nde/data';
export * from './spiral-directions.js';
