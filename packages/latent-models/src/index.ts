/**
 * `@nde/latent-models`: models for irregularly sampled time series (ODE-RNN, latent ODE, latent SDE,
 * continuous-time VAE), continuous normalizing flows and the dynamic generator, on TensorFlow.js.
 * @packageDocumentation
 */
export * from './training/index.js';
export * from './layers/concat-squash.js';
export * from './layers/activation-jvp.js';
export * from './cnf/index.js';
export * from './toy2d/index.js';
export * from './data/index.js';
export * from './layers/vector-field.js';
export * from './layers/distributions.js';
export * from './rnn/encoder.js';
export * from './rnn/ode-rnn.js';
export * from './rnn/rnn-baseline.js';
export * from './latent-ode/latent-ode.js';
export * from './layers/detachable-mlp.js';
export * from './layers/diagonal-diffusion.js';
export * from './latent-sde/path-kl.js';
export * from './latent-sde/latent-sde.js';
export * from './layers/pixel-shuffle-up.js';
export * from './dynamic-generator/index.js';
export * from './ctvae/ctvae.js';
export * from './cde/index.js';
/** Re-exported from `@nde/nn`; deprecated here (removed in the next minor release): import them from `@nde/nn`. */
export { Conv3x3, GRUCell, stopGradient, type Conv3x3Options, type GRUCellOptions } from '@nde/nn';
