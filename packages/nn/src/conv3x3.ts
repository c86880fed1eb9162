/**
 * A 3×3 'same' convolution module: {@link conv3x3} (a `conv2d` whose filter gradient is a `conv2d` too, so
 * it trains fast on every backend, wasm included) plus a bias, with its weight kept as an im2col matrix.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, ShapeError, assertPositiveInteger, collectParameters, Linear } from '@nde/core';
import { conv3x3 } from './conv.js';

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
  /** The kernel as a matrix: `weight` `[9·inChannels, outChannels]`, rows ordered (dy, dx, channel) over the 3×3 window, and `bias`. */
  readonly linear: Linear;
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;

  constructor(opts: Conv3x3Options) {
    super();
    assertPositiveInteger('inChannels', opts.inChannels);
    assertPositiveInteger('outChannels', opts.outChannels);
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
    return tf.tidy(() => tf.add(conv3x3(x, this.linear.weight), this.linear.bias as tf.Variable) as tf.Tensor4D);
  }
}
