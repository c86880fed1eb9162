/**
 * `@nde/linalg`: dense float64 linear algebra on the host (row-major `Float64Array` matrices and the
 * symmetric eigendecomposition `eigh`), for what float32 tfjs is not precise enough for: Fréchet distances
 * in `@nde/metrics`, singular value clipping in `@nde/video-gan`.
 * @packageDocumentation
 */
export * from './matrix.js';
export * from './eigh.js';
