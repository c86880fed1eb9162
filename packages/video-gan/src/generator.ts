/**
 * TGAN's image generator and the video generator that pairs it with a temporal generator.
 * A frame is `G1(z0, z_t)`: the content latent z0 and the per-frame latent z_t each go through a dense
 * layer to a `4×4×(c/2)` map, the two maps are concatenated and upsampled by 2-D transposed
 * convolutions (kernel 4, stride 2; batch norm + ReLU) to `size×size×channels`, tanh at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, collectParameters, assertFloatTree, assertPositiveInteger } from '@nde/core';
import { BatchNorm, ConvTranspose2d, Dense, parameterCount } from './layers.js';
import type { GenerateOptions, TemporalGenerator } from './temporal/types.js';

/** Options of {@link ImageGenerator}. */
export interface ImageGeneratorOptions {
  /** Width of the content latent z0. */
  contentDim: number;
  /** Width of the per-frame latent. */
  frameLatentDim: number;
  /** Output size, a power of two ≥ 8 (32 or 64). */
  size?: number;
  /** Output channels (1 grey, 3 colour). */
  channels?: number;
  /** Channels of the 4×4 map (halved at every upsampling; TGAN 64×64: 512). */
  baseChannels?: number;
  /** Seed of the init. */
  seed?: number;
}

/**
 * TGAN-style frame generator `(z0, z_t) → frame`.
 *
 * @example
 * ```ts
 * const g1 = new ImageGenerator({ contentDim: 100, frameLatentDim: 100, size: 32, baseChannels: 64, seed: 0 });
 * const frames = g1.apply(tf.randomNormal([2, 100]) as tf.Tensor2D, tf.randomNormal([2, 16, 100]) as tf.Tensor3D); // [2, 16, 32, 32, 1]
 * ```
 */
export class ImageGenerator extends BaseModule {
  /** Side of the square output frames in pixels. */
  readonly size: number;
  /** Channels of the output frames (1 grey, 3 colour). */
  readonly channels: number;
  /** Width of the content latent z0. */
  readonly contentDim: number;
  /** Width of each per-frame latent z_t. */
  readonly frameLatentDim: number;
  private readonly base: number;
  private readonly l0s: Dense;
  private readonly l0f: Dense;
  private readonly bn0: BatchNorm;
  private readonly deconvs: ConvTranspose2d[];
  private readonly norms: BatchNorm[];

  constructor({ contentDim, frameLatentDim, size = 32, channels = 1, baseChannels = 64, seed = 0 }: ImageGeneratorOptions) {
    super();
    assertPositiveInteger('contentDim', contentDim);
    assertPositiveInteger('frameLatentDim', frameLatentDim);
    assertPositiveInteger('channels', channels);
    assertPositiveInteger('baseChannels', baseChannels);
    const ups = Math.log2(size / 4);
    if (!(Number.isInteger(ups) && ups >= 1))
      throw new InvalidArgumentError('size', `must be a power of two ≥ 8 (got ${size}).`, 'Use 32 or 64.');
    if (baseChannels % 2 !== 0 || baseChannels >> (ups - 1) < 1)
      throw new InvalidArgumentError('baseChannels', `must be even and ≥ 2^${ups - 1} (got ${baseChannels}).`);
    this.size = size;
    this.channels = channels;
    this.contentDim = contentDim;
    this.frameLatentDim = frameLatentDim;
    this.base = baseChannels;
    const half = (4 * 4 * baseChannels) / 2;
    this.l0s = new Dense({ inFeatures: contentDim, outFeatures: half, seed: seed * 1000 + 101 });
    this.l0f = new Dense({ inFeatures: frameLatentDim, outFeatures: half, seed: seed * 1000 + 102 });
    this.bn0 = new BatchNorm(baseChannels);
    const cs = Array.from({ length: ups }, (_, i) => baseChannels >> i);
    this.deconvs = cs.map(
      (c, i) =>
        new ConvTranspose2d({
          inChannels: c,
          outChannels: i === ups - 1 ? channels : c >> 1,
          kernel: 4,
          strides: 2,
          seed: seed * 1000 + 110 + i,
        }),
    );
    this.norms = cs.slice(1).map((c) => new BatchNorm(c));
  }

  /**
   * Parameters named `l0s.*` / `l0f.*` (content and frame dense layers), `bn0.*`, `dc1.*`, … (transposed
   * convolutions) and `bn1.*`, … (their batch norms). The variables themselves, owned by this module.
   */
  namedParameters(): Record<string, tf.Variable> {
    const children: Record<string, BaseModule> = { l0s: this.l0s, l0f: this.l0f, bn0: this.bn0 };
    this.deconvs.forEach((d, i) => (children[`dc${i + 1}`] = d));
    this.norms.forEach((b, i) => (children[`bn${i + 1}`] = b));
    return collectParameters(children);
  }

  /** `z0: [b, contentDim]`, `zs: [b, T, frameLatentDim]` → frames `[b, T, size, size, channels]` in [-1, 1]. */
  apply(z0: tf.Tensor2D, zs: tf.Tensor3D): tf.Tensor5D {
    const [b, t, d] = zs.shape;
    if (z0.shape[0] !== b || z0.shape[1] !== this.contentDim || d !== this.frameLatentDim) {
      throw new InvalidArgumentError(
        'zs',
        `expected z0 [b, ${this.contentDim}] and zs [b, T, ${this.frameLatentDim}] (got [${z0.shape}] and [${zs.shape}]).`,
      );
    }
    const half = this.base / 2;
    return tf.tidy(() => {
      const hs = this.l0s
        .apply(z0)
        .reshape([b, 1, 4 * 4 * half])
        .tile([1, t, 1])
        .reshape([b * t, 4, 4, half]);
      const hf = this.l0f.apply(zs.reshape([b * t, d])).reshape([b * t, 4, 4, half]);
      let h = tf.relu(this.bn0.apply(tf.concat([hs, hf], 3), [0, 1, 2])) as tf.Tensor4D;
      this.deconvs.forEach((dc, i) => {
        h = dc.apply(h);
        const bn = this.norms[i];
        if (bn) h = tf.relu(bn.apply(h, [0, 1, 2])) as tf.Tensor4D;
      });
      return tf.tanh(h).reshape([b, t, this.size, this.size, this.channels]) as tf.Tensor5D;
    });
  }
}

/** Options of {@link VideoGenerator}. */
export interface VideoGeneratorOptions {
  /** Temporal generator `z0 → [b, T, frameLatentDim]`; its `latentDim` / `frameLatentDim` must equal the image generator's `contentDim` / `frameLatentDim`. */
  temporal: TemporalGenerator;
  /** Frame generator `(z0, z_t) → frame`. */
  image: ImageGenerator;
  /** Seed of the latent stream used by {@link VideoGenerator.sample}. */
  seed?: number;
}

/**
 * A TGAN-style video generator: `z0 → temporal generator → z_1..z_T`, frame t = `image(z0, z_t)`.
 *
 * @example
 * ```ts
 * const temporal = new OdeTemporalGenerator({ dim: 32, numFrames: 16, seed: 0 });
 * const image = new ImageGenerator({ contentDim: 32, frameLatentDim: 32, size: 32, baseChannels: 32 });
 * const g = new VideoGenerator({ temporal, image, seed: 0 });
 * const videos = g.sample(4);                              // [4, 16, 32, 32, 1]
 * const longer = g.sample(4, { ts: linspace(0, 2, 32) });  // 32 frames (ODE/SDE only)
 * ```
 */
export class VideoGenerator extends BaseModule {
  /** The temporal generator (shared, not copied; disposed with this module). */
  readonly temporal: TemporalGenerator;
  /** The image generator (shared, not copied; disposed with this module). */
  readonly image: ImageGenerator;
  private readonly seed: number;
  private draws = 0;

  constructor({ temporal, image, seed = 0 }: VideoGeneratorOptions) {
    super();
    if (temporal.latentDim !== image.contentDim || temporal.frameLatentDim !== image.frameLatentDim) {
      throw new InvalidArgumentError(
        'image',
        `takes contentDim ${image.contentDim} / frameLatentDim ${image.frameLatentDim}, the temporal generator gives ${temporal.latentDim} / ${temporal.frameLatentDim}.`,
      );
    }
    this.temporal = temporal;
    this.image = image;
    this.seed = seed;
  }

  /** The temporal generator's parameters under `temporal.*` and the image generator's under `image.*`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ temporal: this.temporal, image: this.image });
  }

  /** Parameters of the temporal and image parts. */
  parameterCounts(): { temporal: number; image: number; total: number } {
    const temporal = parameterCount(this.temporal);
    const image = parameterCount(this.image);
    return { temporal, image, total: temporal + image };
  }

  /** Draw `n` latents z0 ~ N(0, I) from the generator's own seeded stream (a new tensor). */
  sampleLatent(n: number): tf.Tensor2D {
    assertPositiveInteger('n', n);
    return tf.randomNormal([n, this.temporal.latentDim], 0, 1, 'float32', this.seed * 100003 + this.draws++) as tf.Tensor2D;
  }

  /** Videos from given latents `z0: [b, latentDim]` → `[b, T, size, size, channels]` in [-1, 1]. */
  apply(z0: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor5D {
    assertFloatTree('z0', z0);
    return tf.tidy(() => this.image.apply(z0, this.temporal.generate(z0, options)));
  }

  /** `n` fresh videos (new tensor owned by the caller). */
  sample(n: number, options: GenerateOptions = {}): tf.Tensor5D {
    return tf.tidy(() => this.apply(this.sampleLatent(n), options));
  }
}
