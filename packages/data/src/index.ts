/**
 * `@nde/data`: reading data sets and model files: a `node:fs` tfjs IO handler, the IDX (MNIST /
 * Fashion-MNIST) reader, CSV (through d3-dsv), the UEA/UCR `.ts` time-series format and NumPy `.npy`.
 * Node-only readers import `node:fs` / `node:zlib` lazily, so the package loads in browsers too.
 * @packageDocumentation
 */
export * from './file-system.js';
export * from './idx.js';
export * from './csv.js';
export * from './uea.js';
export * from './npy.js';
