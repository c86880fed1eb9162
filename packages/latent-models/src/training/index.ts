/** Training helpers: Adam with clipping, KL annealing, progress lines, checkpoints, seeds. */
export * from './adam.js';
export * from './clip.js';
export * from './anneal.js';
export * from './progress.js';
export * from './checkpoint.js';
export * from './seed.js';
