/** Stop-gradient for tfjs (identity forward, zero gradient backward). */
import * as tf from '@tensorflow/tfjs';

const op = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  void save;
  return { value: x.clone(), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
}) as never) as (x: tf.Tensor) => tf.Tensor;

/**
 * `x` with its gradient stopped: the value passes through, no gradient flows back (new tensor).
 *
 * @param x - any tensor (not disposed); the result is a new tensor with the same value, owned by the caller.
 *
 * @example
 * ```ts
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stopGradient(x), x)))(tf.ones([2])); // = x, not 2x
 * ```
 */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  return op(x);
}
