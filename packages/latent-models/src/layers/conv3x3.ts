/**
 * A 3×3 'same' convolution by im2col (pad, nine shifted slices, one matmul). Trains on every
 * backend, wasm included (no conv2d filter-gradient kernel needed).
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, ShapeError, collectParameters, Linear } from '@nde/core';

/** Options of {@link Conv3x3}. */
export interface Conv3x3Options {
  /** Channels of the input (last axis of `[n, h, w, inChannels]`). */
  inChannels: number;
  /** Channels of the output. */
  outChannels: number;
  /** Seed of the underlying `Linear` init (default 0). */
  seed?: number;
}

/**
 * `[n, h, w, cin] → [n, h, w, cout]`, zero padding, stride 1.
 *
 * @example
 * ```ts
 * const conv = new Conv3x3({ inChannels: 8, outChannels: 1, seed: 0 });
 * conv.apply(tf.zeros([2, 32, 32, 8])).shape; // [2, 32, 32, 1]
 * ```
 */
export class Conv3x3 extends BaseModule {
  /** The im2col kernel: `9·inChannels → outChannels`, input rows ordered (dy, dx, channel) over the 3×3 window. */
  readonly linear: Linear;
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;

  constructor(opts: Conv3x3Options) {
    super();
    this.inChannels = opts.inChannels;
    this.outChannels = opts.outChannels;
    this.linear = new Linear({ inFeatures: 9 * opts.inChannels, outFeatures: opts.outChannels, seed: opts.seed ?? 0 });
  }

  /** `linear.weight`, `linear.bias`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ linear: this.linear });
  }

  /**
   * `x` `[n, h, w, inChannels]` → `[n, h, w, outChannels]` (NHWC; new tensor, caller owns it).
   * Throws a `ShapeError` when `x` is not rank 4 with `inChannels` channels.
   */
  apply(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels)
      throw new ShapeError('x', `expected [n, h, w, ${this.inChannels}], got [${x.shape}].`);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    return tf.tidy(() => {
      const p = tf.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      const cols: tf.Tensor[] = [];
      for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) cols.push(tf.slice(p, [0, dy, dx, 0], [n, h, w, c]));
      const patches = tf.concat(cols, 3).reshape([n * h * w, 9 * c]);
      return this.linear.apply(patches).reshape([n, h, w, this.outChannels]) as tf.Tensor4D;
    });
  }
}
