/** Internal plotting helpers for demos, benchmarks and reproduction scripts (Node only). */
export * from './chart.js';
export * from './image.js';
export * from './gif.js';
export * from './progress.js';
