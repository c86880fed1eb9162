/** The interface of a vector field whose weights are the SDE state. */
import type * as tf from '@tensorflow/tfjs';
import type { WeightLayout } from './weight-layout.js';

/**
 * A vector field f_w(t, h) on per-example features of shape `featureShape`, with weights from the
 * flat vector w (the weight SDE's state). `apply` takes `h: [S, G·prod(featureShape)]` (G examples
 * that share one weight sample per row) and `w: [S, D]` and returns dh/dt shaped like h.
 *
 * @example
 * ```ts
 * const field: WeightField = new MLPWeightField({ features: 16, width: 32 });
 * const dh = field.apply(0, tf.zeros([2, 3 * 16]), tf.zeros([2, field.layout.size]));
 * ```
 */
export interface WeightField {
  /** How the flat weight vector `w: [S, D]` is cut into the field's weights (`layout.size` is D). */
  readonly layout: WeightLayout;
  /** Shape of one example's features, e.g. `[16]` or `[7, 7, 8]`. */
  readonly featureShape: readonly number[];
  /** dh/dt at depth `t` for `h: [S, G·prod(featureShape)]` and weights `w: [S, D]`, shaped like `h` (new tensor). */
  apply(t: number, h: tf.Tensor, w: tf.Tensor): tf.Tensor;
}
