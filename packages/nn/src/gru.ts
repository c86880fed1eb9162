/** A GRU cell that owns its variables (PyTorch's `nn.GRUCell` equations). */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, Linear, ShapeError, assertPositiveInteger, collectParameters } from '@nde/core';

/** Options of {@link GRUCell}. */
export interface GRUCellOptions {
  /** Width of the input `x`, `[batch, inputSize]`. */
  inputSize: number;
  /** Width of the hidden state `h`, `[batch, hiddenSize]`. */
  hiddenSize: number;
  /** Seed of the uniform(−1/√hidden, 1/√hidden) init (default 0: the same weights every run). */
  seed?: number;
}

/**
 * r = σ(x Wr + h Ur), z = σ(x Wz + h Uz), n = tanh(x Wn + r ⊙ (h Un)), h' = (1 − z) ⊙ n + z ⊙ h.
 *
 * @example
 * ```ts
 * const cell = new GRUCell({ inputSize: 3, hiddenSize: 16, seed: 0 });
 * const h1 = cell.apply(tf.zeros([8, 16]), tf.ones([8, 3])); // [8, 16]
 * ```
 */
export class GRUCell extends BaseModule {
  /** Width of the input `x`. */
  readonly inputSize: number;
  /** Width of the hidden state `h`. */
  readonly hiddenSize: number;
  /** x → [r | z | n] pre-activations. */
  readonly input: Linear;
  /** h → [r | z | n] pre-activations. */
  readonly hidden: Linear;

  constructor(options: GRUCellOptions) {
    super();
    const { inputSize, hiddenSize } = options;
    assertPositiveInteger('inputSize', inputSize);
    assertPositiveInteger('hiddenSize', hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const seed = options.seed ?? 0;
    const bound = 1 / Math.sqrt(hiddenSize);
    const init = (rows: number, s: number): { weight: tf.Tensor2D; biasInit: tf.Tensor1D } => ({
      weight: tf.randomUniform([rows, 3 * hiddenSize], -bound, bound, 'float32', s) as tf.Tensor2D,
      biasInit: tf.randomUniform([3 * hiddenSize], -bound, bound, 'float32', s + 1) as tf.Tensor1D,
    });
    const a = init(inputSize, seed);
    const b = init(hiddenSize, seed + 2);
    this.input = new Linear({ inFeatures: inputSize, outFeatures: 3 * hiddenSize, ...a });
    this.hidden = new Linear({ inFeatures: hiddenSize, outFeatures: 3 * hiddenSize, ...b });
    tf.dispose([a.weight, a.biasInit, b.weight, b.biasInit]);
  }

  /** `input.weight`, `input.bias`, `hidden.weight`, `hidden.bias` (gates stacked `[r | z | n]` along the output axis). */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ input: this.input, hidden: this.hidden });
  }

  /** One update: `h` `[batch, hidden]`, `x` `[batch, input]` → new `h` `[batch, hidden]` (caller owns it; inputs are not disposed). */
  apply(h: tf.Tensor, x: tf.Tensor): tf.Tensor {
    if (h.rank !== 2 || h.shape[1] !== this.hiddenSize) {
      throw new ShapeError('h', `must be [batch, ${this.hiddenSize}] (got [${h.shape}]).`);
    }
    if (x.rank !== 2 || x.shape[1] !== this.inputSize || x.shape[0] !== h.shape[0]) {
      throw new ShapeError(
        'x',
        `must be [${h.shape[0]}, ${this.inputSize}] (got [${x.shape}]).`,
        'The GRU input is [batch, inputSize] with the batch of h.',
      );
    }
    return tf.tidy(() => {
      const H = this.hiddenSize;
      const gx = this.input.apply(x);
      const gh = this.hidden.apply(h);
      const [xr, xz, xn] = tf.split(gx, [H, H, H], 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [hr, hz, hn] = tf.split(gh, [H, H, H], 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const r = tf.sigmoid(tf.add(xr, hr));
      const z = tf.sigmoid(tf.add(xz, hz));
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    });
  }
}
