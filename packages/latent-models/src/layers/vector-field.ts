/** MLP vector fields: a module whose `vf(t, y)` plugs straight into `ODETerm`/`odeint`. */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, MLP, ShapeError, collectParameters, type Activation } from '@nde/core';

/** Options of {@link MLPVectorField}. */
export interface MLPVectorFieldOptions {
  /** State dimension d (input and output width). */
  dim: number;
  /** Hidden widths (default [64]). */
  hidden?: readonly number[];
  /** Hidden activation (default tanh). */
  activation?: Activation;
  /** Feed t as an extra input (default false: autonomous). */
  timeDependent?: boolean;
  /** Seed of the MLP init; layer `i` uses `seed + i` (default: the MLP's process-wide counter). */
  seed?: number;
}

/**
 * dy/dt = MLP([y, t?]) for states `[batch, d]`.
 *
 * @example
 * ```ts
 * const f = new MLPVectorField({ dim: 4, hidden: [32], seed: 0 });
 * const ys = odeint(f.vf, tf.zeros([8, 4]), [0, 0.5, 1], { method: 'rk4', dt: 0.1 });
 * ```
 */
export class MLPVectorField extends BaseModule {
  /** The MLP `[d (+1 for t)] → hidden… → [d]`. */
  readonly net: MLP;
  /** State dimension d. */
  readonly dim: number;
  /** Whether t is appended to the state as an extra input feature. */
  readonly timeDependent: boolean;

  constructor(options: MLPVectorFieldOptions) {
    super();
    this.dim = options.dim;
    this.timeDependent = options.timeDependent ?? false;
    this.net = new MLP({
      sizes: [options.dim + (this.timeDependent ? 1 : 0), ...(options.hidden ?? [64]), options.dim],
      activation: options.activation ?? 'tanh',
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
  }

  /** The MLP's variables, prefixed `net.` (`net.layers.<i>.weight`, `net.layers.<i>.bias`). */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ net: this.net });
  }

  /** The vector field `(t, y) => dy/dt`, bound to this module. */
  readonly vf = (t: number, y: tf.Tensor): tf.Tensor => {
    if (y.shape[y.rank - 1] !== this.dim)
      throw new ShapeError('y', `last dimension is ${y.shape[y.rank - 1]}, the vector field takes ${this.dim}.`);
    if (!this.timeDependent) return this.net.apply(y);
    return tf.tidy(() => this.net.apply(tf.concat([y, tf.fill([...y.shape.slice(0, -1), 1], t)], -1)));
  };
}
