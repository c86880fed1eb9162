/**
 * Activations with their derivative, for forward-mode Jacobian–vector products.
 *
 * tfjs 4 detaches the tensors a kernel saves for its gradient, so gradients of gradients are wrong;
 * the CNF trace must therefore be computed with forward-mode tangents built from first-order ops
 * (then ordinary reverse mode trains through it correctly).
 */
import * as tf from '@tensorflow/tfjs';
import { UnknownMethodError } from '@nde/core';

/** Activations with a known derivative. */
export type JvpActivation = 'tanh' | 'softplus' | 'sigmoid' | 'relu' | 'elu' | 'swish' | 'identity';

/** An activation's value and derivative at the same pre-activation. */
export interface ActivationWithDerivative {
  /**
   * `{ y: σ(a), dy: σ'(a) }`, both shaped like `a` (new tensors owned by the caller, except `y` of
   * `'identity'`, which is `a` itself).
   * @param a - Pre-activation, any shape.
   */
  (a: tf.Tensor): { y: tf.Tensor; dy: tf.Tensor };
}

const TABLE: Record<JvpActivation, ActivationWithDerivative> = {
  tanh: (a) => {
    const y = tf.tanh(a);
    return { y, dy: tf.sub(1, tf.square(y)) };
  },
  softplus: (a) => ({ y: tf.softplus(a), dy: tf.sigmoid(a) }),
  sigmoid: (a) => {
    const y = tf.sigmoid(a);
    return { y, dy: tf.mul(y, tf.sub(1, y)) };
  },
  relu: (a) => ({ y: tf.relu(a), dy: tf.step(a) }),
  elu: (a) => {
    const y = tf.elu(a);
    return { y, dy: tf.where(tf.greater(a, 0), tf.onesLike(a), tf.add(y, 1)) };
  },
  swish: (a) => {
    const s = tf.sigmoid(a);
    return { y: tf.mul(a, s), dy: tf.add(s, tf.mul(tf.mul(a, s), tf.sub(1, s))) };
  },
  identity: (a) => ({ y: a, dy: tf.onesLike(a) }),
};

/**
 * Look up an activation with its derivative.
 * @param name - One of {@link JvpActivation}.
 * @throws UnknownMethodError for any other name.
 *
 * @example
 * ```ts
 * const { y, dy } = activationWithDerivative('tanh')(tf.tensor1d([0, 1])); // dy = 1 − tanh²
 * ```
 */
export function activationWithDerivative(name: JvpActivation): ActivationWithDerivative {
  const f = TABLE[name];
  if (!f) throw new UnknownMethodError('activation', String(name), Object.keys(TABLE));
  return f;
}
