/**
 * `@nde/adjoint`: gradients through ODE/SDE solves. Pass an adjoint to `solve({ ..., adjoint })`
 * inside `tf.grads`/`tf.variableGrads`, or call {@link valueAndGrads} / {@link valueAndGradsAsync}.
 *
 * | adjoint | gradients | memory in the number of steps |
 * | --- | --- | --- |
 * | `DirectAdjoint` | exact for the discretization | O(steps) |
 * | `RecursiveCheckpointAdjoint` | same as direct | O(checkpoints + steps/checkpoints) |
 * | `BacksolveAdjoint` | continuous adjoint (ODE), stochastic adjoint (SDE) | O(1) |
 * | `StochasticAdjoint` | Li et al. for Stratonovich SDEs | O(1) |
 * | `ReversibleAdjoint` | exact for reversible Heun | O(1) |
 *
 * @packageDocumentation
 */
export * from './vjp.js';
export * from './params.js';
export * from './grid.js';
export * from './op.js';
export * from './direct.js';
export * from './checkpoint.js';
export * from './backsolve.js';
export * from './stochastic.js';
export * from './reversible.js';
export * from './value-and-grads.js';
export type { AdjointMethod } from '@nde/solvers';
