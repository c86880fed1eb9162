export * from './divergence.js';
export * from './vector-field.js';
export * from './cnf.js';
