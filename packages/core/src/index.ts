/**
 * `@nde/core`: backend selection, tensor trees, modules and typed errors.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './backend.js';
export * from './tree.js';
export * from './add-many.js';
export * from './module.js';
export { canFuseDense, type FusableActivation } from './fused-dense.js';
export * from './validate.js';
export * from './random.js';
export * from './tape.js';
export * from './gradients.js';
export * from './fast-gradients.js';
export * from './zero-copy-identity.js';
export * from './checkpointed-scan.js';
export * from './stop-gradient.js';
export { setFusedKernels } from './host-kernels.js';
export * from './host-reads.js';
export { LINEAR_COMBINATION_KERNEL } from './linear-combination.js';
export { SCALED_NORM_KERNEL, fusedScaledNorm } from './scaled-norm.js';
export { ALL_FINITE_KERNEL, fusedAllFinite } from './all-finite.js';
