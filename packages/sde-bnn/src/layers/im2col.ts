/** 2×2 stride-2 patches by a space-to-depth reshape. */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@nde/core';

/**
 * 2×2 space-to-depth: `[N, H, W, C]` → `[N, H/2, W/2, 4C]` (H and W even; new tensor).
 *
 * @param x - input `[N, H, W, C]` with even H and W (not disposed).
 *
 * @example
 * ```ts
 * spaceToDepth2(tf.zeros([1, 28, 28, 1])).shape;   // [1, 14, 14, 4]
 * ```
 */
export function spaceToDepth2(x: tf.Tensor): tf.Tensor4D {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  if (x.rank !== 4 || H % 2 || W % 2) throw new ShapeError('x', `must be [N, H, W, C] with even H and W (got [${x.shape}]).`);
  return tf.tidy(
    () => tf.reshape(tf.transpose(tf.reshape(x, [N, H / 2, 2, W / 2, 2, C]), [0, 1, 3, 2, 4, 5]), [N, H / 2, W / 2, 4 * C]) as tf.Tensor4D,
  );
}

/**
 * Re-exported from `@nde/nn` (the one 3×3 convolution of the `@nde/*` models, with a conv2d filter
 * gradient, and its im2col patch layout); deprecated here, removed in the next minor release: import them
 * from `@nde/nn`.
 */
export { conv3x3, im2col3x3 } from '@nde/nn';
