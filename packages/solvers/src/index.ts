/**
 * `@nde/solvers`: ODE and SDE solvers for TensorFlow.js with one `solve` entry.
 * @packageDocumentation
 */
export * from './terms.js';
export * from './solver.js';
export * from './errors.js';
export * from './error-norm.js';
export * from './interpolation.js';
export * from './save-at.js';
export * from './events.js';
export * from './rk/tableaus.js';
export * from './rk/explicit-rk.js';
export * from './implicit/index.js';
export * from './controllers/controller.js';
export * from './controllers/clip.js';
export * from './controllers/constant.js';
export * from './controllers/pid.js';
export * from './methods.js';
export * from './solution.js';
export * from './solve.js';
export type { DeviceLoopOptions, LaneSteps } from './device/device-loop.js';
export { hairerInitialStep } from './initial-step.js';
export * from './odeint.js';
export * from './sde/index.js';
export type { Times } from './times.js';
export * from './cde/index.js';
