/**
 * The RNN baseline of the neural CDE paper: a GRU run over the observations in time order, fed at each
 * observation with the values (missing ones as 0), the observation mask and the time since the previous
 * observation (GRU-Δt), read out from the last hidden state. Backpropagation through the whole sequence.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, Linear, ShapeError, assertPositiveInteger, collectParameters } from '@nde/core';
import { GRUCell } from '@nde/nn';

/** Options of {@link GRUDeltaTClassifier}. */
export interface GRUDeltaTOptions {
  /** Channels of the raw series (before mask and Δt are appended). */
  readonly channels: number;
  /** Width of the GRU state (default 32). */
  readonly hidden?: number;
  /** Output width: classes (or 1 for a binary classifier). */
  readonly outputs: number;
  /** Seed of the initial weights. */
  readonly seed?: number;
}

/**
 * GRU-Δt sequence classifier (inputs: values, mask, Δt).
 *
 * @example
 * ```ts
 * const gru = new GRUDeltaTClassifier({ channels: 2, hidden: 32, outputs: 1, seed: 0 });
 * opt.step(() => gru.loss(values, ts, labels), gru);
 * ```
 */
export class GRUDeltaTClassifier extends BaseModule {
  /** The recurrent cell, input `2·channels + 1` wide. */
  readonly cell: GRUCell;
  /** Hidden state → outputs. */
  readonly readout: Linear;
  /** Raw channels. */
  readonly channels: number;
  /** Output width. */
  readonly outputs: number;

  constructor(options: GRUDeltaTOptions) {
    super();
    const { channels, outputs } = options;
    assertPositiveInteger('channels', channels);
    assertPositiveInteger('outputs', outputs);
    this.channels = channels;
    this.outputs = outputs;
    const hidden = options.hidden ?? 32;
    const seed = options.seed ?? 0;
    this.cell = new GRUCell({ inputSize: 2 * channels + 1, hiddenSize: hidden, seed: seed * 100 + 7 });
    this.readout = new Linear({ inFeatures: hidden, outFeatures: outputs, seed: seed * 100 + 9 });
  }

  /** The model's variables by name (`cell.*`, `readout.*`). */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ cell: this.cell, readout: this.readout });
  }

  /**
   * Logits `[batch, outputs]` (owned by the caller).
   *
   * @param values - `[batch, T, channels]` with NaN for missing values (not taken over).
   * @param ts - the T observation times.
   */
  forward(values: tf.Tensor3D, ts: readonly number[]): tf.Tensor2D {
    const [B, T, C] = values.shape;
    if (C !== this.channels || ts.length !== T) {
      throw new ShapeError('values', `has shape [${values.shape}] for ${ts.length} times; this model reads ${this.channels} channels.`);
    }
    return tf.tidy(() => {
      const observed = tf.logicalNot(tf.isNaN(values));
      const mask = tf.cast(observed, 'float32');
      const x = tf.where(observed, values, tf.zerosLike(values));
      let h = tf.zeros([B, this.cell.hiddenSize]) as tf.Tensor2D;
      for (let i = 0; i < T; i++) {
        const dt = i === 0 ? 0 : (ts[i] as number) - (ts[i - 1] as number);
        const xi = tf.reshape(x.slice([0, i, 0], [B, 1, C]), [B, C]);
        const mi = tf.reshape(mask.slice([0, i, 0], [B, 1, C]), [B, C]);
        const input = tf.concat([xi, mi, tf.fill([B, 1], dt)], 1) as tf.Tensor2D;
        h = this.cell.apply(h, input) as tf.Tensor2D;
      }
      return this.readout.apply(h) as tf.Tensor2D;
    });
  }

  /**
   * Mean cross-entropy (sigmoid when `outputs` is 1).
   *
   * @param values - `[batch, T, channels]` with NaN for missing values.
   * @param ts - the T observation times.
   * @param labels - class indices `[batch]`.
   */
  loss(values: tf.Tensor3D, ts: readonly number[], labels: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const out = this.forward(values, ts);
      if (this.outputs === 1) return tf.losses.sigmoidCrossEntropy(tf.reshape(tf.cast(labels, 'float32'), [-1, 1]), out) as tf.Scalar;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(labels, 'int32'), this.outputs), out) as tf.Scalar;
    });
  }

  /**
   * Class probabilities `[batch, outputs]` (owned by the caller).
   *
   * @param values - `[batch, T, channels]` with NaN for missing values.
   * @param ts - the T observation times.
   */
  predict(values: tf.Tensor3D, ts: readonly number[]): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.forward(values, ts);
      return (this.outputs === 1 ? tf.sigmoid(out) : tf.softmax(out)) as tf.Tensor2D;
    });
  }
}
