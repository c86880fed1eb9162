/**
 * Convolutions as matmuls, so every gradient exists on every backend (wasm has no
 * Conv2DBackpropFilter kernel): 3×3 "same" patches by padding and nine slices, and 2×2 stride-2
 * patches by a space-to-depth reshape.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@nde/core';

/**
 * 3×3 patches with zero "same" padding: `[N, H, W, C]` → `[N, H, W, 9C]` (new tensor).
 *
 * @param x - input `[N, H, W, C]` (not disposed).
 *
 * @example
 * ```ts
 * const cols = im2col3x3(tf.zeros([2, 7, 7, 8]));   // [2, 7, 7, 72]
 * ```
 */
export function im2col3x3(x: tf.Tensor): tf.Tensor4D {
  if (x.rank !== 4) throw new ShapeError('x', `must be [N, H, W, C] (got [${x.shape}]).`);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  return tf.tidy(() => {
    const p = tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const cols: tf.Tensor[] = [];
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) cols.push(tf.slice(p, [0, dy, dx, 0], [N, H, W, C]));
    return tf.concat(cols, 3) as tf.Tensor4D;
  });
}

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

function conv3x3Raw(x: tf.Tensor4D, K: tf.Tensor2D): tf.Tensor4D {
  const C = x.shape[3];
  return tf.conv2d(x, tf.reshape(K, [3, 3, C, K.shape[1]]) as tf.Tensor4D, 1, 'same');
}

const conv3x3Op = tf.customGrad(((x: tf.Tensor4D, K: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, K]);
  return {
    value: conv3x3Raw(x, K),
    gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const [xs, Ks] = saved as [tf.Tensor4D, tf.Tensor2D];
      const C = xs.shape[3];
      const O = Ks.shape[1];
      // dx: "same" correlation of dy with the filter rotated by 180° and in/out swapped.
      const flipped = tf.transpose(tf.reverse(tf.reshape(Ks, [3, 3, C, O]), [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      const dx = tf.conv2d(dy, flipped, 1, 'same');
      // dK = im2col(x)ᵀ dy (no Conv2DBackpropFilter needed).
      const cols = tf.reshape(im2col3x3(xs), [-1, 9 * C]) as tf.Tensor2D;
      const dK = tf.matMul(cols, tf.reshape(dy, [-1, O]) as tf.Tensor2D, true, false);
      return [dx, dK];
    },
  };
}) as never) as (x: tf.Tensor4D, K: tf.Tensor2D) => tf.Tensor4D;

/**
 * 3×3 "same" convolution with the filter as a matrix `K: [9·Cin, Cout]` (rows ordered (dy, dx, c), as
 * {@link im2col3x3}): forward by `tf.conv2d`, gradients by conv2d (input) and an im2col matmul
 * (filter), so it trains on wasm, which lacks Conv2DBackpropFilter. New tensor.
 *
 * @param x - input `[N, H, W, Cin]` (not disposed).
 * @param K - the filter as a matrix `[9·Cin, Cout]`, rows ordered (dy, dx, c) like the channels of {@link im2col3x3}; gradients flow to it (e.g. a trainable variable).
 *
 * @example
 * ```ts
 * const y = conv3x3(tf.zeros([2, 7, 7, 8]), tf.zeros([72, 16]));   // [2, 7, 7, 16]
 * ```
 */
export function conv3x3(x: tf.Tensor, K: tf.Tensor): tf.Tensor4D {
  if (x.rank !== 4) throw new ShapeError('x', `must be [N, H, W, C] (got [${x.shape}]).`);
  if (K.rank !== 2 || K.shape[0] !== 9 * (x.shape[3] as number))
    throw new ShapeError('K', `must be [${9 * (x.shape[3] as number)}, Cout] (got [${K.shape}]).`);
  return conv3x3Op(x as tf.Tensor4D, K as tf.Tensor2D);
}
