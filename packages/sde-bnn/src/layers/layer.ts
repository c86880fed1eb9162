/** The usual (deterministic) layers around an SDE-BNN block. */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, Linear, activation, collectParameters, type Activation, type Module } from '@nde/core';
import { conv3x3 } from '@nde/nn';
import { spaceToDepth2 } from './im2col.js';

/** A module with `apply(x)`: input and output layers of a model. */
export interface Layer extends Module {
  /** Apply the layer to a batch (new tensor). */
  apply(x: tf.Tensor): tf.Tensor;
}

/**
 * 3×3 "same" convolution `[N, H, W, Cin]` → `[N, H, W, Cout]` ({@link @nde/nn!conv3x3}: gradients on every backend).
 * @example
 * ```ts
 * const conv = new Conv3x3({ inChannels: 1, outChannels: 16, seed: 0 });
 * conv.apply(tf.zeros([2, 28, 28, 1])).shape;   // [2, 28, 28, 16]
 * ```
 */
export class Conv3x3 extends BaseModule implements Layer {
  /** The kernel as a linear map on 3×3 patches, weight `[9·inChannels, outChannels]` plus bias. */
  readonly linear: Linear;
  constructor(options: { inChannels: number; outChannels: number; seed?: number }) {
    super();
    this.linear = new Linear({
      inFeatures: 9 * options.inChannels,
      outFeatures: options.outChannels,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
  }
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ linear: this.linear });
  }
  /** `[N, H, W, inChannels]` → `[N, H, W, outChannels]` (zero padding, new tensor). */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const y = conv3x3(x, this.linear.weight);
      return this.linear.bias ? tf.add(y, this.linear.bias) : y;
    });
  }
}

/**
 * 2×2 stride-2 convolution `[N, H, W, Cin]` → `[N, H/2, W/2, Cout]` (space-to-depth + matmul).
 * @example
 * ```ts
 * new PatchConv2({ inChannels: 16, outChannels: 32 }).apply(tf.zeros([2, 28, 28, 16])).shape; // [2, 14, 14, 32]
 * ```
 */
export class PatchConv2 extends BaseModule implements Layer {
  /** The kernel as a linear map on 2×2 patches, weight `[4·inChannels, outChannels]` plus bias. */
  readonly linear: Linear;
  constructor(options: { inChannels: number; outChannels: number; seed?: number }) {
    super();
    this.linear = new Linear({
      inFeatures: 4 * options.inChannels,
      outFeatures: options.outChannels,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
  }
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ linear: this.linear });
  }
  /** `[N, H, W, inChannels]` → `[N, H/2, W/2, outChannels]` (H and W even, new tensor). */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.linear.apply(spaceToDepth2(x)));
  }
}

/** An entry of {@link Sequential}: a layer, an activation, or 'flatten'. */
export type SequentialEntry = Layer | Activation | 'flatten';

/**
 * Layers and activations applied in order; `'flatten'` reshapes to `[N, -1]`.
 * @example
 * ```ts
 * const stem = new Sequential([new Conv3x3({ inChannels: 1, outChannels: 8 }), 'relu', new PatchConv2({ inChannels: 8, outChannels: 8 }), 'relu']);
 * const head = new Sequential(['flatten', new Linear({ inFeatures: 14 * 14 * 8, outFeatures: 10 })]);
 * ```
 */
export class Sequential extends BaseModule implements Layer {
  /** Layers, activations and `'flatten'`, in the order they are applied. */
  readonly entries: readonly SequentialEntry[];
  constructor(entries: readonly SequentialEntry[]) {
    super();
    if (entries.length === 0) throw new InvalidArgumentError('entries', 'needs at least one layer.');
    this.entries = entries;
  }
  private layers(): [number, Layer][] {
    return this.entries.flatMap((e, i) =>
      typeof e === 'object' && e !== null && 'apply' in e ? [[i, e as Layer] as [number, Layer]] : [],
    );
  }
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters(Object.fromEntries(this.layers().map(([i, l]) => [String(i), l])));
  }
  /** Apply the entries in order (new tensor). */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      for (const e of this.entries) {
        if (e === 'flatten') h = tf.reshape(h, [h.shape[0] as number, -1]);
        else if (typeof e === 'object' && e !== null && 'apply' in e) h = (e as Layer).apply(h);
        else h = activation(e as Activation)(h);
      }
      return h;
    });
  }
}
