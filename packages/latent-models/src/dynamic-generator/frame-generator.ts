/**
 * The top-down frame generator x = g(s): Linear → 4×4 feature map → pixel-shuffle up-sampling
 * blocks (transposed convolutions with kernel 2, stride 2) → 3×3 convolution → tanh.
 * Every layer trains on cpu and wasm (no conv2d filter gradient needed).
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, Linear, ShapeError, collectParameters, type Module } from '@nde/core';
import { Conv3x3 } from '@nde/nn';
import { PixelShuffleUp } from '../layers/pixel-shuffle-up.js';

/** Options of {@link FrameGenerator}. */
export interface FrameGeneratorOptions {
  /** Dimension of the state s fed to the generator. */
  stateDim: number;
  /** Output size (a power of two ≥ 8: 32 or 64). */
  size: number;
  /** Output channels (default 1). */
  channels?: number;
  /** Channels of the 4×4 map (default 32); halved (min 8) at each up-sampling. */
  baseChannels?: number;
  /** End with a 3×3 convolution (smoother frames; default true). False: the last up-sampling emits the frame. */
  outputConv?: boolean;
  /** Seed of the init (default 0): `fc` uses `seed`, up-sampling block i `seed + 1 + i`, the output conv `seed + 50`. */
  seed?: number;
}

/**
 * g: `[n, stateDim]` → frames `[n, size, size, channels]` in (−1, 1).
 *
 * @example
 * ```ts
 * const g = new FrameGenerator({ stateDim: 16, size: 32, seed: 0 });
 * g.apply(tf.zeros([2, 16])).shape; // [2, 32, 32, 1]
 * ```
 */
export class FrameGenerator extends BaseModule {
  /** Dimension of the input state s. */
  readonly stateDim: number;
  /** Height and width of the output frames, in pixels. */
  readonly size: number;
  /** Channels of the output frames. */
  readonly channels: number;
  /** Linear map from s to the 4×4 feature map, `stateDim → 16·baseChannels` (followed by ReLU). */
  readonly fc: Linear;
  /** The `log2(size/4)` up-sampling blocks, each doubling height and width. */
  readonly ups: PixelShuffleUp[];
  /** The final 3×3 convolution to `channels`, or `undefined` when `outputConv` is false. */
  readonly out: Conv3x3 | undefined;
  private readonly c0: number;

  constructor(o: FrameGeneratorOptions) {
    super();
    const levels = Math.log2(o.size / 4);
    if (!(Number.isInteger(levels) && levels >= 1)) throw new InvalidArgumentError('size', `must be a power of two ≥ 8 (got ${o.size}).`);
    this.stateDim = o.stateDim;
    this.size = o.size;
    this.channels = o.channels ?? 1;
    this.c0 = o.baseChannels ?? 32;
    const seed = o.seed ?? 0;
    this.fc = new Linear({ inFeatures: o.stateDim, outFeatures: 16 * this.c0, seed });
    this.ups = [];
    let c = this.c0;
    const conv = o.outputConv ?? true;
    for (let i = 0; i < levels; i++) {
      const next = !conv && i === levels - 1 ? this.channels : Math.max(8, c / 2);
      this.ups.push(new PixelShuffleUp({ inChannels: c, outChannels: next, seed: seed + 1 + i }));
      c = next;
    }
    this.out = conv ? new Conv3x3({ inChannels: c, outChannels: this.channels, seed: seed + 50 }) : undefined;
  }

  /** Variables prefixed `fc.`, `ups.<i>.` and (with the output convolution) `out.`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({
      fc: this.fc,
      ...(this.out ? { out: this.out } : {}),
      ...Object.fromEntries(this.ups.map((u, i) => [`ups.${i}`, u as Module])),
    });
  }

  /**
   * Frames of the states: `s` `[n, stateDim]` → `[n, size, size, channels]` in (−1, 1) (new tensor,
   * caller owns it). Throws a `ShapeError` when `s` is not `[n, stateDim]`.
   */
  apply(s: tf.Tensor): tf.Tensor4D {
    if (s.rank !== 2 || s.shape[1] !== this.stateDim) throw new ShapeError('s', `expected [n, ${this.stateDim}], got [${s.shape}].`);
    return tf.tidy(() => {
      let h: tf.Tensor = tf.relu(this.fc.apply(s)).reshape([s.shape[0] as number, 4, 4, this.c0]);
      this.ups.forEach((up, i) => {
        h = up.apply(h);
        if (this.out || i < this.ups.length - 1) h = tf.relu(h);
      });
      return tf.tanh(this.out ? this.out.apply(h) : h) as tf.Tensor4D;
    });
  }
}
