/**
 * `@nde/nn`: the building blocks the `@nde/*` models share: layers (`GRUCell`, `Conv3x3`, `conv2d` /
 * `conv2dTranspose` / `conv3x3` with gradients that stay fast on wasm, `stopGradient`), one optimizer
 * (`Optimizer`: Adam or RMSprop, global-norm clipping, state by parameter name) and one checkpoint format
 * (`saveCheckpoint` / `loadCheckpoint`: weights + optimizer state through `tf.io`).
 * @packageDocumentation
 */
export * from './stop-gradient.js';
export * from './conv.js';
export * from './conv3x3.js';
export * from './gru.js';
export * from './clip.js';
export * from './optimizer.js';
export * from './checkpoint.js';
