/**
 * A stride-2, kernel-2 transposed convolution written as a per-pixel matmul followed by a
 * pixel shuffle (`[.., 4·C] → 2× spatial`). It needs only matmul/reshape/transpose gradients, so it
 * trains on wasm, which lacks the conv2d filter-gradient kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, ShapeError, collectParameters, Linear } from '@nde/core';

/** Options of {@link PixelShuffleUp}. */
export interface PixelShuffleUpOptions {
  /** Channels of the input (last axis of `[n, h, w, inChannels]`). */
  inChannels: number;
  /** Channels of the output. */
  outChannels: number;
  /** Seed of the underlying `Linear` init (default 0). */
  seed?: number;
}

/**
 * `[n, h, w, cin] → [n, 2h, 2w, cout]`: each input pixel emits a learned 2×2 block (exactly
 * `conv2dTranspose` with kernel 2, stride 2).
 *
 * @example
 * ```ts
 * const up = new PixelShuffleUp({ inChannels: 32, outChannels: 16, seed: 0 });
 * up.apply(tf.zeros([1, 4, 4, 32])).shape; // [1, 8, 8, 16]
 * ```
 */
export class PixelShuffleUp extends BaseModule {
  /** Per-pixel map `inChannels → 4·outChannels` (one output channel vector per position of the 2×2 block). */
  readonly linear: Linear;
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;

  constructor(opts: PixelShuffleUpOptions) {
    super();
    this.inChannels = opts.inChannels;
    this.outChannels = opts.outChannels;
    this.linear = new Linear({ inFeatures: opts.inChannels, outFeatures: 4 * opts.outChannels, seed: opts.seed ?? 0 });
  }

  /** `linear.weight`, `linear.bias`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ linear: this.linear });
  }

  /**
   * `x` `[n, h, w, inChannels]` → `[n, 2h, 2w, outChannels]` (NHWC; new tensor, caller owns it).
   * Throws a `ShapeError` when `x` is not rank 4 with `inChannels` channels.
   */
  apply(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels)
      throw new ShapeError('x', `expected [n, h, w, ${this.inChannels}], got [${x.shape}].`);
    const [n, h, w] = x.shape as [number, number, number, number];
    return tf.tidy(() => {
      const y = this.linear.apply(x.reshape([n * h * w, this.inChannels]));
      return y
        .reshape([n, h, w, 2, 2, this.outChannels])
        .transpose([0, 1, 3, 2, 4, 5])
        .reshape([n, 2 * h, 2 * w, this.outChannels]) as tf.Tensor4D;
    });
  }
}
