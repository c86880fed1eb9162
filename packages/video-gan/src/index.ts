/**
 * `@nde/video-gan`: a TGAN-style video GAN whose temporal generator is a 1-D deconvolution stack
 * (TGAN), a neural ODE or a neural SDE (Gordon & Parde, "Latent Neural Differential Equations for Video
 * Generation"), with WGAN + weight clipping / singular value clipping training, Moving Fashion-MNIST and
 * `.npy` video-folder data, and IS / Fréchet evaluation through `@nde/metrics`.
 * @packageDocumentation
 */
export * from './layers.js';
export * from './temporal/index.js';
export * from './generator.js';
export * from './discriminator.js';
export * from './train/rmsprop.js';
export * from './train/svc.js';
export * from './train/conv-gradients.js';
export * from './train/wgan.js';
export * from './data/random.js';
export * from './data/moving-fashion.js';
/** Re-exported from `@nde/data`; deprecated here (removed in the next minor release): import them from `@nde/data`. */
export { encodeNpy, parseNpy, type NpyArray } from '@nde/data';
export * from './data/video-folder.js';
export * from './eval.js';
export * from './samples.js';
