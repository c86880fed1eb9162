/**
 * `@nde/metrics`: generative scores (FID/FVD, IS, KID, precision/recall), MMD and energy distance,
 * calibration (ECE, MCE, reliability diagrams, NLL, Brier, entropy), OOD AUROC, bits per dimension,
 * float64 Cholesky and matrix square roots for them (on `@nde/linalg`), and a shipped Fashion-MNIST feature classifier. Data-set readers and the
 * file-system IO handler live in `@nde/data`.
 * @packageDocumentation
 */
/**
 * Re-exported from `@nde/linalg`, their home now; deprecated here, removed from `@nde/metrics` in the next
 * minor release. Import them from `@nde/linalg`.
 */
export {
  asymmetry64,
  assertSquare,
  eigh,
  frobenius64,
  identity64,
  matmul64,
  matmulViaTf,
  toArray2d,
  toMatrix64,
  transpose64,
  type EighOptions,
  type EighResult,
  type Matrix64,
  type MatrixLike,
} from '@nde/linalg';
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
/**
 * Re-exported from `@nde/data`, their home now; deprecated here, removed from `@nde/metrics` in the next
 * minor release. Import them from `@nde/data`.
 */
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  IdxFileMissingError,
  fileSystemHandler,
  loadFashionMnist,
  loadIdx,
  parseIdx,
  type IdxArray,
  type MnistSplit,
} from '@nde/data';
export * from './models/load.js';
export * from './models/features.js';
export * from './models/fashion-cnn.js';
export * from './models/fashion.js';
