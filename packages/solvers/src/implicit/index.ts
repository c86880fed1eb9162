/** Implicit (stiff) solvers: ESDIRK tableaux, one implicit stepper, Jacobians, host LU and a batched on-device LU. */
export * from './tableaus.js';
export * from './imex-tableaus.js';
export * from './implicit-rk.js';
export * from './bdf.js';
export * from './rosenbrock.js';
export { DeviceLU } from './device-lu.js';
export type { JacobianOptions, JacobianSource, JacobianStructure } from './jacobian.js';
