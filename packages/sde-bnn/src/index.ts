/**
 * `@nde/sde-bnn`: Bayesian neural networks whose weights follow an SDE over depth (Xu, Li, Duvenaud
 * et al., "Infinitely deep Bayesian neural networks with stochastic differential equations", AISTATS 2022).
 * @packageDocumentation
 */
export * from './prior.js';
export * from './posterior.js';
/** Re-exported from `@nde/nn`; deprecated here (removed in the next minor release): import it from `@nde/nn`. */
export { stopGradient } from '@nde/nn';
export * from './brownian.js';
export * from './joint.js';
export * from './kl.js';
export * from './layers/weight-layout.js';
export * from './layers/field.js';
export * from './layers/mlp-field.js';
export * from './layers/conv-field.js';
export * from './layers/im2col.js';
export * from './layers/layer.js';
export * from './layers/block.js';
export * from './model.js';
export * from './baseline.js';
export * from './predict.js';
export * from './train.js';
export * from './data/fashion.js';
export * from './data/toy1d.js';
