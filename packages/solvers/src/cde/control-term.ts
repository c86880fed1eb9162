/**
 * The control term of a neural CDE: dz = f(t, z) dX(t), with `f(t, z)` a `[batch, hidden, channels]` matrix
 * contracted with the control's derivative (diffrax's `ControlTerm(...).to_ode()`). It is an `ODETerm`, so
 * every ODE solver and every adjoint (including the backsolve, which evaluates dX/dt backwards in time)
 * solves it unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { ODETerm } from '../terms.js';
import type { ControlPath } from './interpolation.js';

/** The CDE vector field: `(t, z [batch, hidden], args) => [batch, hidden, channels]`. */
export type ControlledField<A = unknown> = (t: number, z: tf.Tensor, args: A) => tf.Tensor;

/** `f · dX`: contract the last axis of `[batch, hidden, channels]` with `[batch, channels]`. */
function contract(f: tf.Tensor, dX: tf.Tensor, batch: number, hidden: number, channels: number): tf.Tensor {
  if (f.rank !== 3 || f.shape[0] !== batch || f.shape[1] !== hidden || f.shape[2] !== channels) {
    throw new ShapeError(
      'field',
      `returned shape [${f.shape}]; a CDE field for state [${batch}, ${hidden}] and a ${channels}-channel control must return [${batch}, ${hidden}, ${channels}].`,
      'Reshape the network output to [batch, hidden, channels].',
    );
  }
  // Elementwise product and a sum (no batched matMul: on wasm that takes a slow path).
  return tf.sum(tf.mul(f, tf.expandDims(dX, 1)), -1);
}

/**
 * dz/dt = f(t, z) · dX/dt(t) for a control path X.
 *
 * @example
 * ```ts
 * const X = hermiteCubicInterpolation(values, ts, { timeChannel: true });   // [B, T, C] → path
 * const term = new ControlTerm((t, z) => tf.reshape(net.apply(z), [B, H, X.channels]), X);
 * const sol = solve({ terms: term, solver: 'dopri5', t0: X.t0, t1: X.t1, y0: z0 });
 * ```
 */
export class ControlTerm<A = unknown> extends ODETerm<tf.Tensor, A> {
  constructor(
    /** The CDE vector field, returning `[batch, hidden, channels]`. */
    readonly field: ControlledField<A>,
    /** The control path X (owned by the caller). */
    readonly path: ControlPath,
  ) {
    if (typeof field !== 'function')
      throw new InvalidArgumentError('field', `must be a function (t, z, args) => [batch, hidden, channels] (got ${typeof field}).`);
    if (!path || typeof (path as Partial<ControlPath>).derivative !== 'function') {
      throw new InvalidArgumentError(
        'path',
        'must be a control path (linearInterpolation, hermiteCubicInterpolation, naturalCubicSpline, …).',
      );
    }
    super((t, z, args) =>
      tf.tidy(() => {
        const dX = path.derivative(t);
        return contract(field(t, z, args), dX, z.shape[0] as number, z.shape[1] as number, path.channels);
      }),
    );
  }

  /**
   * The vector field times the control's increment over a step, `f(t, z) · (X(t1) − X(t0))` — the form a
   * CDE solver that steps on increments (rather than derivatives) uses.
   *
   * @param t - where f is evaluated (usually the step's start).
   * @param z - the state `[batch, hidden]`.
   * @param args - passed to the field.
   * @param t0 - start of the increment.
   * @param t1 - end of the increment.
   * @returns `[batch, hidden]`, owned by the caller.
   */
  fieldTimesIncrement(t: number, z: tf.Tensor, args: A, t0: number, t1: number): tf.Tensor {
    return tf.tidy(() => {
      const dX = tf.sub(this.path.evaluate(t1), this.path.evaluate(t0));
      return contract(this.field(t, z, args), dX, z.shape[0] as number, z.shape[1] as number, this.path.channels);
    });
  }
}
