/** Stop-gradient: the identity forward, zero gradient backward (tfjs has no `tf.stopGradient`). */
import * as tf from '@tensorflow/tfjs';

const stop = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/**
 * `x` with its gradient blocked (like `torch.Tensor.detach` inside a differentiated function).
 * @param x - Any tensor (not disposed).
 * @returns A copy of `x` (new tensor, caller owns it) whose gradient is zero.
 *
 * @example
 * ```ts
 * const { grads } = tf.variableGrads(() => tf.sum(tf.mul(stopGradient(w), w)), [w]); // grad = w, not 2w
 * ```
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}
