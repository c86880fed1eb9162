/** The MLP-width SDE-BNN vector field: f_w(h) = tanh(h W1 + b1) W2 + b2 with w = [W1, b1, W2, b2]. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import type { WeightField } from './field.js';
import { WeightLayout } from './weight-layout.js';

/** Options of {@link MLPWeightField}. */
export interface MLPWeightFieldOptions {
  /** Feature width d of h. */
  features: number;
  /** Hidden width (default equals `features`). */
  width?: number;
}

/**
 * One-hidden-layer MLP vector field whose D = 2·d·width + width + d weights come from the weight
 * SDE; one batched matmul per layer over the weight samples.
 *
 * @example
 * ```ts
 * const field = new MLPWeightField({ features: 8, width: 16 });
 * field.layout.size;                                            // 280
 * const dh = field.apply(0, tf.zeros([4, 10 * 8]), tf.zeros([4, 280]));  // [4, 80]
 * ```
 */
export class MLPWeightField implements WeightField {
  /** Weight blocks `W1: [d, width]`, `b1: [width]`, `W2: [width, d]`, `b2: [d]`. */
  readonly layout: WeightLayout;
  readonly featureShape: readonly number[];
  /** Feature width d of one example. */
  readonly features: number;
  /** Hidden width (default `features`). */
  readonly width: number;

  constructor(options: MLPWeightFieldOptions) {
    const d = options.features;
    const width = options.width ?? d;
    if (!(Number.isInteger(d) && d > 0 && Number.isInteger(width) && width > 0)) {
      throw new InvalidArgumentError('features/width', `must be positive integers (got ${d}, ${width}).`);
    }
    this.features = d;
    this.width = width;
    this.featureShape = [d];
    this.layout = new WeightLayout([
      { name: 'W1', shape: [d, width], fanIn: d },
      { name: 'b1', shape: [width], fanIn: d },
      { name: 'W2', shape: [width, d], fanIn: width },
      { name: 'b2', shape: [d], fanIn: width },
    ]);
  }

  /**
   * tanh(h W1 + b1) W2 + b2 per example, each weight row applied to its own group of examples; `[S, G·d]` → `[S, G·d]`
   * (new tensor).
   */
  apply(_t: number, h: tf.Tensor, w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const S = h.shape[0] as number;
      const { W1, b1, W2, b2 } = this.layout.split(w) as Record<'W1' | 'b1' | 'W2' | 'b2', tf.Tensor>;
      const x = tf.reshape(h, [S, -1, this.features]) as tf.Tensor3D;
      const z = tf.tanh(tf.add(tf.matMul(x, W1 as tf.Tensor3D), tf.expandDims(b1, 1))) as tf.Tensor3D;
      const y = tf.add(tf.matMul(z, W2 as tf.Tensor3D), tf.expandDims(b2, 1));
      return tf.reshape(y, h.shape);
    });
  }
}
