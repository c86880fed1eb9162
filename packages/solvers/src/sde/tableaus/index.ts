export * from './sri.js';
export * from './sra.js';
