/** The convolutional SDE-BNN vector field: f_w(h) = tanh(conv3x3_w(h) + b) on `[H, W, C]` feature maps. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import type { WeightField } from './field.js';
import { conv3x3 } from '@nde/nn';
import { WeightLayout } from './weight-layout.js';

/** Options of {@link ConvWeightField}. */
export interface ConvWeightFieldOptions {
  /** Feature-map height H in pixels. */
  height: number;
  /** Feature-map width W in pixels. */
  width: number;
  /** Number of channels C (input and output). */
  channels: number;
}

/**
 * 3×3 convolution C → C (+ bias, tanh) whose D = 9C² + C weights are the weight SDE's state. Each
 * weight sample convolves its own group of examples ({@link @nde/nn!conv3x3}: trains on wasm too).
 *
 * @example
 * ```ts
 * const field = new ConvWeightField({ height: 7, width: 7, channels: 8 });
 * field.layout.size;                                            // 584
 * const dh = field.apply(0, tf.zeros([2, 4 * 7 * 7 * 8]), tf.zeros([2, 584])); // [2, 1568]
 * ```
 */
export class ConvWeightField implements WeightField {
  /** Weight blocks `K: [9C, C]` (the 3×3 kernel, im2col layout) and `b: [C]`. */
  readonly layout: WeightLayout;
  readonly featureShape: readonly number[];
  /** Number of channels C (input and output). */
  readonly channels: number;

  constructor(options: ConvWeightFieldOptions) {
    const { height, width, channels } = options;
    if (![height, width, channels].every((n) => Number.isInteger(n) && n > 0)) {
      throw new InvalidArgumentError('height/width/channels', `must be positive integers (got ${height}, ${width}, ${channels}).`);
    }
    this.channels = channels;
    this.featureShape = [height, width, channels];
    this.layout = new WeightLayout([
      { name: 'K', shape: [9 * channels, channels], fanIn: 9 * channels },
      { name: 'b', shape: [channels], fanIn: 9 * channels },
    ]);
  }

  /**
   * tanh(conv3x3(h) + b) per example, each weight row convolving its own group of examples; `[S, G·H·W·C]` → same
   * shape (new tensor).
   */
  apply(_t: number, h: tf.Tensor, w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const S = h.shape[0] as number;
      const [H, W, C] = this.featureShape as [number, number, number];
      const { K, b } = this.layout.split(w) as Record<'K' | 'b', tf.Tensor>;
      const x = tf.reshape(h, [S, -1, H, W, C]);
      const G = x.shape[1] as number;
      const ys: tf.Tensor[] = [];
      for (let s = 0; s < S; s++) {
        const xs = tf.reshape(tf.slice(x, [s, 0, 0, 0, 0], [1, G, H, W, C]), [G, H, W, C]);
        const Ks = tf.reshape(tf.slice(K, [s, 0, 0], [1, 9 * C, C]), [9 * C, C]);
        const bs = tf.reshape(tf.slice(b, [s, 0], [1, C]), [C]);
        ys.push(tf.reshape(tf.tanh(tf.add(conv3x3(xs, Ks), bs)), [1, -1]));
      }
      return tf.reshape(S === 1 ? (ys[0] as tf.Tensor) : tf.concat(ys, 0), h.shape);
    });
  }
}
