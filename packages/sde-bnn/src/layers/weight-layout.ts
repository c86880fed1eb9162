/** A flat weight vector w ∈ R^D cut into named tensors (the weights of a vector field). */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';

/** One named block of the flat weight vector, with its fan-in for initialisation. */
export interface WeightSpec {
  /** Name of the block in `split`'s result (e.g. `W1`). */
  name: string;
  /** Shape of the block for one weight sample. */
  shape: readonly number[];
  /** Fan-in of the layer (uniform(−1/√fanIn, 1/√fanIn) init, PyTorch's default). */
  fanIn: number;
}

/**
 * The layout of a flat weight vector: `split(w)` gives each block as `[S, ...shape]`.
 *
 * @example
 * ```ts
 * const layout = new WeightLayout([{ name: 'W', shape: [4, 8], fanIn: 4 }, { name: 'b', shape: [8], fanIn: 4 }]);
 * layout.size;                                  // 40
 * const { W, b } = layout.split(tf.zeros([2, 40]));  // [2, 4, 8], [2, 8]
 * ```
 */
export class WeightLayout {
  /** The blocks, in their order in the flat vector. */
  readonly specs: readonly WeightSpec[];
  /** Total number of weights D (sum of the blocks' sizes). */
  readonly size: number;
  private readonly sizes: number[];

  constructor(specs: readonly WeightSpec[]) {
    if (specs.length === 0) throw new InvalidArgumentError('specs', 'needs at least one weight block.');
    this.specs = specs;
    this.sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
    this.size = this.sizes.reduce((a, b) => a + b, 0);
  }

  /**
   * Cut `w: [S, size]` into `{ name: [S, ...shape] }` (new tensors).
   * @example
   * ```ts
   * const parts = layout.split(w);
   * ```
   */
  split(w: tf.Tensor): Record<string, tf.Tensor> {
    if (w.rank !== 2 || w.shape[1] !== this.size) throw new ShapeError('w', `must be [samples, ${this.size}] (got [${w.shape}]).`);
    const S = w.shape[0] as number;
    const parts = tf.split(w, this.sizes, 1);
    const out: Record<string, tf.Tensor> = {};
    this.specs.forEach((s, i) => {
      out[s.name] = tf.reshape(parts[i] as tf.Tensor, [S, ...s.shape]);
      (parts[i] as tf.Tensor).dispose();
    });
    return out;
  }

  /**
   * A random initial weight vector `[size]` (uniform(−1/√fanIn, 1/√fanIn) per block; biases too).
   * @example
   * ```ts
   * const w0 = layout.init(0);
   * ```
   */
  init(seed: number): tf.Tensor1D {
    return tf.tidy(
      () =>
        tf.concat(
          this.specs.map((s, i) => {
            const bound = 1 / Math.sqrt(s.fanIn);
            return tf.randomUniform([this.sizes[i] as number], -bound, bound, 'float32', seed + 31 * i);
          }),
        ) as tf.Tensor1D,
    );
  }
}
