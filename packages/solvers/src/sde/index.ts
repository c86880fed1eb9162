/** SDE terms, solvers and `sdeint`. */
export * from './brownian-motion.js';
export * from './terms.js';
export * from './support.js';
export * from './euler-maruyama.js';
export * from './milstein.js';
export * from './heun.js';
export * from './midpoint.js';
export * from './reversible-heun.js';
export * from './sra1.js';
export * from './srk.js';
export * from './sdeint.js';
export * from './tableaus/index.js';
