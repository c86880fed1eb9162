/**
 * `tf.where` without its copies. tfjs's `where` broadcasts its three inputs first, and a broadcast
 * to the shape a tensor already has is an Identity kernel: four dispatches for one select. The
 * device-resident loop selects dozens of times a step, so it calls the Select kernel itself when
 * the three shapes are equal and falls back to `tf.where` otherwise. (Select's per-row form, a rank-1
 * condition over the leading axis, is wrong on tfjs-cpu 4.22: it copies element i, not row i.)
 * Differentiable like `tf.where` (tfjs registers Select's gradient): the lane replay runs under the tape.
 */
import * as tf from '@tensorflow/tfjs';

const same = (a: readonly number[], b: readonly number[]): boolean => tf.util.arraysEqual(a as number[], b as number[]);

/**
 * `cond ? a : b` elementwise (cond bool).
 * @param cond - bool (shaped like a for the one-kernel path)
 * @param a - taken where cond is true
 * @param b - taken elsewhere
 */
export function select(cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (same(a.shape, b.shape) && same(cond.shape, a.shape)) {
    return tf.engine().runKernel('Select', { condition: cond, t: a, e: b }) as tf.Tensor;
  }
  return tf.where(cond, a, b);
}

/**
 * Per-lane choice over a leaf: `mask[lane] ? a : b` with a and b shaped like the leaf (per sample the
 * lanes are the leading axis; with one lane the mask is one value). The mask is tiled to the leaf's
 * shape: two kernels.
 * @param mask - bool `[lanes]`
 * @param a - taken in lanes where mask is true
 * @param b - taken elsewhere
 * @param perSample - lanes are the leading axis (else one lane)
 */
export function selectLanes(mask: tf.Tensor, a: tf.Tensor, b: tf.Tensor, perSample: boolean): tf.Tensor {
  const view = perSample
    ? [mask.shape[0] as number, ...new Array<number>(Math.max(a.rank - 1, 0)).fill(1)]
    : new Array<number>(a.rank).fill(1);
  return select(tf.broadcastTo(mask.reshape(view), a.shape), a, b);
}
