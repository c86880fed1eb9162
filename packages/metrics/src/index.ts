/**
 * `@nde/metrics`: generative scores (FID/FVD, IS, KID, precision/recall), MMD and energy distance,
 * calibration (ECE, MCE, reliability diagrams, NLL, Brier, entropy), OOD AUROC, bits per dimension,
 * float64 linear algebra for them, and a shipped Fashion-MNIST feature classifier.
 * @packageDocumentation
 */
export * from './linalg/matrix.js';
export * from './linalg/eigh.js';
export * from './linalg/cholesky.js';
export * from './linalg/sqrtm.js';
export * from './stats/streaming.js';
export * from './scores/fid.js';
export * from './scores/inception.js';
export * from './scores/kid.js';
export * from './scores/prdc.js';
export * from './kernels.js';
export * from './mmd.js';
export * from './random.js';
export * from './calibration/validate.js';
export * from './calibration/ece.js';
export * from './calibration/scores.js';
export * from './calibration/plot.js';
export * from './ood.js';
export * from './likelihood.js';
export * from './data/idx.js';
export * from './models/io.js';
export * from './models/load.js';
export * from './models/features.js';
export * from './models/fashion-cnn.js';
export * from './models/fashion.js';
