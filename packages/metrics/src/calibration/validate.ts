/** Shared checks for probability inputs. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';

/** Class probabilities `[n, C]` (tensor or nested array); a vector `[n]` means binary P(class 1). */
export type ProbabilitiesLike = tf.Tensor | readonly (readonly number[])[] | readonly number[];
/** Integer labels `[n]` (tensor or array). */
export type LabelsLike = tf.Tensor | readonly number[];

/** Probabilities as float64 rows, checked. */
export interface ProbRows {
  /** Number of rows (samples). */
  readonly n: number;
  /** Number of classes per row (2 for a binary vector input). */
  readonly classes: number;
  /** Row-major `[n, classes]`. */
  readonly p: Float64Array;
}

/**
 * Read and check probabilities: finite, in [0, 1], rows summing to 1 within `tolerance` (default 1e-3).
 * A vector `[n]` is treated as binary `[1 − p, p]`.
 *
 * @param probs - probabilities `[n, C]` as a tensor (read asynchronously, not disposed) or nested arrays, or a vector `[n]` of binary P(class 1).
 * @param options - `tolerance` on each row sum (default 1e-3) and `argument`, the name used in error messages (default `'probs'`).
 *
 * @throws {@link @nde/core!ShapeError} for rank other than 1 or 2, or an empty input.
 * @throws {@link @nde/core!InvalidArgumentError} naming the first bad row.
 *
 * @example
 * ```ts
 * const { n, classes } = await readProbabilities([[0.2, 0.8], [1, 0]]); // n = 2, classes = 2
 * ```
 */
export async function readProbabilities(
  probs: ProbabilitiesLike,
  options: { tolerance?: number; argument?: string } = {},
): Promise<ProbRows> {
  const { tolerance = 1e-3, argument = 'probs' } = options;
  let shape: number[];
  let flat: ArrayLike<number>;
  if (probs instanceof tf.Tensor) {
    shape = probs.shape;
    flat = await probs.data();
  } else if (Array.isArray(probs) && Array.isArray(probs[0])) {
    const rows = probs as number[][];
    shape = [rows.length, rows[0]?.length ?? 0];
    flat = rows.flat();
    if (flat.length !== shape[0]! * shape[1]!)
      throw new ShapeError(argument, 'rows have different lengths.', 'Pass a rectangular [n, classes] array.');
  } else {
    const v = probs as number[];
    shape = [v.length];
    flat = v;
  }
  if (shape.length === 1) {
    const n = shape[0] as number;
    const p = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const q = flat[i] as number;
      if (!(q >= 0 && q <= 1))
        throw new InvalidArgumentError(
          argument,
          `entry ${i} is ${q}; binary probabilities must lie in [0, 1].`,
          'Apply tf.sigmoid to logits first.',
        );
      p[2 * i] = 1 - q;
      p[2 * i + 1] = q;
    }
    if (n === 0) throw new ShapeError(argument, 'is empty.', 'Pass at least one prediction.');
    return { n, classes: 2, p };
  }
  if (shape.length !== 2)
    throw new ShapeError(
      argument,
      `has shape [${shape}]; expected [n, classes] (or [n] for binary).`,
      'Flatten extra axes into the batch.',
    );
  const [n, c] = shape as [number, number];
  if (n === 0 || c < 2) throw new ShapeError(argument, `has shape [${shape}]; need n ≥ 1 rows of ≥ 2 classes.`);
  const p = Float64Array.from(flat);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) {
      const q = p[i * c + j] as number;
      if (!(q >= 0 && q <= 1))
        throw new InvalidArgumentError(
          argument,
          `row ${i}, class ${j} is ${q}; probabilities must lie in [0, 1].`,
          'Pass softmax outputs, not logits (apply tf.softmax).',
        );
      s += q;
    }
    if (Math.abs(s - 1) > tolerance) {
      throw new InvalidArgumentError(
        argument,
        `row ${i} sums to ${s.toPrecision(6)}, not 1 (tolerance ${tolerance}).`,
        'Normalise each row (tf.softmax on logits, or divide by the row sum).',
      );
    }
  }
  return { n, classes: c, p };
}

/**
 * Read integer labels and check them against `n` and the number of classes.
 *
 * @param labels - integer labels `[n]`, as a rank-1 tensor (read, not disposed) or an array.
 * @param n - the expected number of labels (the rows of the matching probabilities).
 * @param classes - number of classes; every label must be an integer in `0..classes-1`.
 * @param argument - name used in error messages (default `'labels'`).
 *
 * @throws {@link @nde/core!ShapeError} when the count differs from `n`.
 * @throws {@link @nde/core!InvalidArgumentError} for a label outside `0..classes-1`.
 *
 * @example
 * ```ts
 * const y = await readLabels([0, 2, 1], 3, 3); // Int32Array [0, 2, 1]
 * ```
 */
export async function readLabels(labels: LabelsLike, n: number, classes: number, argument = 'labels'): Promise<Int32Array> {
  const flat = labels instanceof tf.Tensor ? await labels.data() : (labels as number[]);
  if (labels instanceof tf.Tensor && labels.rank !== 1)
    throw new ShapeError(argument, `has shape [${labels.shape}]; expected [n] integer labels.`, 'Use argMax(-1) on one-hot labels.');
  if (flat.length !== n)
    throw new ShapeError(argument, `has ${flat.length} labels for ${n} predictions.`, 'Pass one label per row of probs.');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = flat[i] as number;
    if (!(Number.isInteger(y) && y >= 0 && y < classes))
      throw new InvalidArgumentError(argument, `entry ${i} is ${y}; labels must be integers in 0..${classes - 1}.`);
    out[i] = y;
  }
  return out;
}
