/**
 * A (2+1)-D convolutional video critic: each block is a spatial 2-D convolution per frame (kernel 4,
 * stride 2) followed by a temporal 1-D convolution along time (kernel 4, stride 2), leaky ReLU 0.2.
 * After the blocks a dense layer gives one score per video. (2+1)-D instead of TGAN's 3-D convolutions
 * because conv3d is very slow on tfjs' cpu and wasm backends; every convolution here is a `conv2d`.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, ShapeError, collectParameters, assertPositiveInteger } from '@nde/core';
import { Conv2d, Dense } from './layers.js';

/** Options of {@link VideoDiscriminator}. */
export interface VideoDiscriminatorOptions {
  /** Frame size (square, power of two). */
  size?: number;
  /** Frames per video. */
  numFrames?: number;
  /** Input channels. */
  channels?: number;
  /** Channels of each block (default [32, 64, 128]); each block halves H, W and (while T > 1) T. */
  widths?: readonly number[];
  /** Seed of the init. */
  seed?: number;
}

/**
 * (2+1)-D video critic `[b, T, H, W, C] → [b]`.
 *
 * @example
 * ```ts
 * const d = new VideoDiscriminator({ size: 32, numFrames: 16, widths: [16, 32, 64], seed: 0 });
 * const scores = d.apply(tf.zeros([2, 16, 32, 32, 1]) as tf.Tensor5D); // [2]
 * ```
 */
export class VideoDiscriminator extends BaseModule {
  /** Side of the square input frames in pixels. */
  readonly size: number;
  /** Frames per input video. */
  readonly numFrames: number;
  /** Channels of the input frames. */
  readonly channels: number;
  /** Output channels of each block (a copy of the option). */
  readonly widths: readonly number[];
  /** Per block, the spatial convolution (kernel 4, stride 2) applied to every frame `[b·T, H, W, C]`. */
  readonly spatial: Conv2d[];
  /** Per block, the temporal convolution (kernel `[min(4, T), 1]`, stride 2 while T is even) along time on `[b, T, H·W, C]`. */
  readonly temporal: Conv2d[];
  /** Dense layer from the flattened last block to one score per video. */
  readonly head: Dense;
  private readonly tStrides: number[];

  constructor({ size = 32, numFrames = 16, channels = 1, widths = [32, 64, 128], seed = 0 }: VideoDiscriminatorOptions = {}) {
    super();
    assertPositiveInteger('size', size);
    assertPositiveInteger('numFrames', numFrames);
    assertPositiveInteger('channels', channels);
    if (widths.length === 0) throw new InvalidArgumentError('widths', 'needs at least one block.');
    widths.forEach((w, i) => assertPositiveInteger(`widths[${i}]`, w));
    if (size % 2 ** widths.length !== 0) throw new InvalidArgumentError('size', `must be divisible by 2^${widths.length} (got ${size}).`);
    this.size = size;
    this.numFrames = numFrames;
    this.channels = channels;
    this.widths = [...widths];
    let cin = channels;
    let t = numFrames;
    this.tStrides = [];
    this.spatial = [];
    this.temporal = [];
    widths.forEach((w, i) => {
      this.spatial.push(new Conv2d({ inChannels: cin, outChannels: w, kernel: 4, strides: 2, seed: seed * 1000 + 201 + i }));
      const st = t % 2 === 0 ? 2 : 1;
      this.tStrides.push(st);
      this.temporal.push(
        new Conv2d({ inChannels: w, outChannels: w, kernel: [Math.min(4, t), 1], strides: [st, 1], seed: seed * 1000 + 221 + i }),
      );
      t = t / st;
      cin = w;
    });
    const s = size / 2 ** widths.length;
    this.head = new Dense({ inFeatures: t * s * s * cin, outFeatures: 1, seed: seed * 1000 + 250 });
  }

  /** Parameters named `block<i>.spatial.*`, `block<i>.temporal.*` and `head.*`; the variables themselves, owned by this module. */
  namedParameters(): Record<string, tf.Variable> {
    const children: Record<string, BaseModule> = {};
    this.spatial.forEach((c, i) => (children[`block${i}.spatial`] = c));
    this.temporal.forEach((c, i) => (children[`block${i}.temporal`] = c));
    children.head = this.head;
    return collectParameters(children);
  }

  /** Critic scores `[b]` (unbounded, WGAN). */
  apply(videos: tf.Tensor5D): tf.Tensor1D {
    const [b, t, h, w, c] = videos.shape;
    if (t !== this.numFrames || h !== this.size || w !== this.size || c !== this.channels) {
      throw new ShapeError(
        'videos',
        `has shape [${videos.shape}], expected [b, ${this.numFrames}, ${this.size}, ${this.size}, ${this.channels}].`,
      );
    }
    return tf.tidy(() => {
      let x = videos.reshape([b * t, h, w, c]) as tf.Tensor4D;
      let frames = t;
      this.spatial.forEach((conv, i) => {
        x = tf.leakyRelu(conv.apply(x), 0.2);
        const [, hh, ww, cc] = x.shape;
        let y = x.reshape([b, frames, hh * ww, cc]) as tf.Tensor4D;
        y = tf.leakyRelu((this.temporal[i] as Conv2d).apply(y), 0.2);
        frames = frames / (this.tStrides[i] as number);
        x = y.reshape([b * frames, hh, ww, cc]) as tf.Tensor4D;
      });
      return this.head.apply(x.reshape([b, -1])).reshape([b]) as tf.Tensor1D;
    });
  }
}
