/** Implicit (stiff) solvers: ESDIRK tableaux, one implicit stepper, Jacobians and host LU. */
export * from './tableaus.js';
export * from './imex-tableaus.js';
export * from './implicit-rk.js';
export * from './bdf.js';
export * from './rosenbrock.js';
export type { JacobianOptions, JacobianSource, JacobianStructure } from './jacobian.js';
