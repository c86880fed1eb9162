/** Training helpers: KL annealing and seeds; the optimizer and checkpoints are `@nde/nn`'s. */
export * from './anneal.js';
export * from './seed.js';
/**
 * Re-exported from `@nde/nn`, their home now; deprecated here (removed in the next minor release):
 * import them from `@nde/nn`.
 */
export {
  Adam,
  clipByGlobalNorm,
  globalNorm,
  loadCheckpoint,
  saveCheckpoint,
  trainableVariables,
  type AdamOptions,
  type CheckpointMetadata,
  type NamedGrads,
  type StepInfo,
  type Trainable,
} from '@nde/nn';
/** Re-exported from `@nde/data`; deprecated here (removed in the next minor release): import it from `@nde/data`. */
export { fileSystemHandler } from '@nde/data';
