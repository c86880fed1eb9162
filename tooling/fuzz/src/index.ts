/**
 * `@nde/fuzz` (internal): fast-check properties over the solvers and adjoints. `test/properties.test.ts`
 * runs a bounded, seeded sample in CI; `pnpm fuzz` runs `NDE_FUZZ_RUNS` (default 5,000 per backend) cases.
 */
export * from './trees.js';
export * from './ode.js';
export * from './sde.js';
export * from './grads.js';
export * from './invalid.js';
