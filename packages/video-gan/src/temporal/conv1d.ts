/**
 * TGAN's temporal generator (Saito et al. 2017): a stack of 1-D transposed convolutions that turns
 * `z0: [batch, latentDim]` into `2^k` per-frame latents. Layer 0 is a kernel-1 transposed convolution
 * (a dense map to `channels[0]` at length 1); every next layer doubles the length (kernel 4, stride 2,
 * padding 1); batch norm + ReLU after every layer but the last, tanh after the last.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, UnsupportedError, collectParameters, assertFloatTree, assertPositiveInteger } from '@nde/core';
import { BatchNorm, ConvTranspose2d, Dense } from '../layers.js';
import { linspace, type GenerateOptions, type TemporalGenerator } from './types.js';

/** Options of {@link Conv1dTemporalGenerator}. */
export interface Conv1dTemporalOptions {
  /** Width of z0 (TGAN: 100). */
  latentDim?: number;
  /** Width of each per-frame latent (TGAN: 100). */
  frameLatentDim?: number;
  /** Frames, a power of two ≥ 2 (TGAN: 16). */
  numFrames?: number;
  /** Channels after layer 0, 1, …; one entry per layer except the last (TGAN: [512, 256, 128, 128]). */
  channels?: readonly number[];
  /** Seed of the init. */
  seed?: number;
}

/**
 * The exact parameter count of a TGAN 1-D deconvolution stack:
 * `Σ_i (c_i·c_{i+1}·k_i + c_{i+1}) + 2·Σ_{hidden} c` with `k_0 = 1`, `k_i = 4` and `c_0 = latentDim`,
 * last `c = frameLatentDim` (biases on every layer, batch-norm scale and shift on hidden layers).
 * TGAN's sizes give 826,468.
 *
 * @param latentDim - Width of z0.
 * @param frameLatentDim - Width of each per-frame latent (the last layer's channels).
 * @param channels - Channels after layer 0, 1, … (every layer but the last).
 * @example
 * ```ts
 * conv1dTemporalParameterCount(100, 100, [512, 256, 128, 128]); // 826468
 * ```
 */
export function conv1dTemporalParameterCount(latentDim: number, frameLatentDim: number, channels: readonly number[]): number {
  const cs = [latentDim, ...channels, frameLatentDim];
  let n = 0;
  for (let i = 0; i + 1 < cs.length; i++) n += (cs[i] as number) * (cs[i + 1] as number) * (i === 0 ? 1 : 4) + (cs[i + 1] as number);
  return n + 2 * channels.reduce((a, c) => a + c, 0);
}

/**
 * TGAN's 1-D transposed-convolution temporal generator (the baseline).
 *
 * @example
 * ```ts
 * const tg = new Conv1dTemporalGenerator({ latentDim: 100, frameLatentDim: 100, numFrames: 16, seed: 0 });
 * tg.parameterCountFormula();                              // 826468 (TGAN's sizes)
 * const zs = tg.generate(tf.randomNormal([8, 100]) as tf.Tensor2D); // [8, 16, 100]
 * ```
 */
export class Conv1dTemporalGenerator extends BaseModule implements TemporalGenerator {
  readonly kind = 'conv1d' as const;
  readonly latentDim: number;
  readonly frameLatentDim: number;
  readonly numFrames: number;
  /** Channels after layer 0, 1, … (every layer but the last, whose output is `frameLatentDim`). */
  readonly channels: readonly number[];
  private readonly dc0: Dense;
  private readonly deconvs: ConvTranspose2d[];
  private readonly norms: BatchNorm[];

  /** @throws `InvalidArgumentError` when `numFrames` is not a power of two or `channels` has the wrong length. */
  constructor({ latentDim = 100, frameLatentDim = 100, numFrames = 16, channels, seed = 0 }: Conv1dTemporalOptions = {}) {
    super();
    assertPositiveInteger('latentDim', latentDim);
    assertPositiveInteger('frameLatentDim', frameLatentDim);
    const layers = Math.log2(numFrames);
    if (!(Number.isInteger(layers) && layers >= 1)) {
      throw new InvalidArgumentError(
        'numFrames',
        `must be a power of two ≥ 2 (got ${numFrames}).`,
        'A stride-2 stack doubles the length per layer; use the ODE/SDE generators for other lengths.',
      );
    }
    const cs = channels ?? (numFrames === 16 ? [512, 256, 128, 128] : Array.from({ length: layers }, (_, i) => Math.max(64, 512 >> i)));
    if (cs.length !== layers)
      throw new InvalidArgumentError('channels', `needs ${layers} entries for ${numFrames} frames (got ${cs.length}).`);
    cs.forEach((c, i) => assertPositiveInteger(`channels[${i}]`, c));
    this.latentDim = latentDim;
    this.frameLatentDim = frameLatentDim;
    this.numFrames = numFrames;
    this.channels = [...cs];
    this.dc0 = new Dense({ inFeatures: latentDim, outFeatures: cs[0] as number, seed: seed * 1000 + 1 });
    const outs = [...cs.slice(1), frameLatentDim];
    this.deconvs = outs.map(
      (out, i) =>
        new ConvTranspose2d({ inChannels: cs[i] as number, outChannels: out, kernel: [1, 4], strides: [1, 2], seed: seed * 1000 + 2 + i }),
    );
    this.norms = cs.map((c) => new BatchNorm(c));
  }

  namedParameters(): Record<string, tf.Variable> {
    const children: Record<string, BaseModule> = { dc0: this.dc0 };
    this.deconvs.forEach((d, i) => (children[`dc${i + 1}`] = d));
    this.norms.forEach((b, i) => (children[`bn${i}`] = b));
    return collectParameters(children);
  }

  parameterCountFormula(): number {
    return conv1dTemporalParameterCount(this.latentDim, this.frameLatentDim, this.channels);
  }

  /** @throws `UnsupportedError` for any `ts` other than the training grid (a deconvolution stack has no time). */
  generate(z0: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor3D {
    assertFloatTree('z0', z0);
    if (z0.rank !== 2 || z0.shape[1] !== this.latentDim)
      throw new InvalidArgumentError('z0', `must be [batch, ${this.latentDim}] (got [${z0.shape}]).`);
    if (options.ts) {
      const grid = linspace(0, 1, this.numFrames);
      if (options.ts.length !== grid.length || options.ts.some((t, i) => Math.abs(t - (grid[i] as number)) > 1e-9)) {
        throw new UnsupportedError(
          'ts',
          'the 1-D convolution stack emits exactly its training grid of frames.',
          'Use OdeTemporalGenerator or SdeTemporalGenerator for unseen or non-uniform times.',
        );
      }
    }
    const b = z0.shape[0];
    return tf.tidy(() => {
      let h: tf.Tensor = this.dc0.apply(z0).reshape([b, 1, 1, this.channels[0] as number]);
      this.deconvs.forEach((dc, i) => {
        h = tf.relu((this.norms[i] as BatchNorm).apply(h, [0, 1, 2]));
        h = dc.apply(h as tf.Tensor4D);
      });
      return tf.tanh(h).reshape([b, this.numFrames, this.frameLatentDim]) as tf.Tensor3D;
    });
  }
}
