/**
 * Irregularly sampled batches. Every sequence of a batch lives on one shared, increasing time grid
 * (the union of the sequences' own times); `mask` marks which entries were observed, so per-sequence
 * time grids and missing features are both masks.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';

/**
 * A batch of irregularly sampled, possibly incomplete sequences.
 * `values` and `mask` are `[batch, times.length, features]`; `mask` is 1 where observed, 0 elsewhere
 * (values under a 0 are ignored by every model and loss).
 */
export interface IrregularBatch {
  /** Shared time grid, strictly increasing (JS doubles). */
  readonly times: readonly number[];
  /** Observed values, `[batch, times.length, features]` (entries under a 0 mask are ignored, conventionally 0). */
  readonly values: tf.Tensor3D;
  /** Observation mask, `[batch, times.length, features]`: 1 where observed, 0 where missing. */
  readonly mask: tf.Tensor3D;
}

/** One sequence on its own time grid. */
export interface Sequence {
  /** Observation times of this sequence (finite JS numbers, one per row of `values`). */
  readonly times: readonly number[];
  /** `values[i]` is the feature vector at `times[i]`; NaN marks a missing feature. */
  readonly values: readonly (readonly number[])[];
}

/**
 * Check a batch's shapes, mask and time grid.
 * @param batch - The batch to check (not modified or disposed).
 * @param argument - Name used for the batch in error messages (default `'batch'`).
 * @throws ShapeError / InvalidArgumentError naming the field at fault and the fix.
 *
 * @example
 * ```ts
 * validateBatch(batch, 'observed');
 * ```
 */
export function validateBatch(batch: IrregularBatch, argument = 'batch'): void {
  if (batch === null || typeof batch !== 'object' || !batch.values || !batch.mask || !batch.times) {
    throw new InvalidArgumentError(argument, 'must be { times, values, mask }.', 'Build one with collateSequences() or a data generator.');
  }
  const { times, values, mask } = batch;
  if (values.rank !== 3) throw new ShapeError(`${argument}.values`, `must be [batch, time, features] (got rank ${values.rank}).`);
  if (mask.rank !== 3 || mask.shape.some((d, i) => d !== values.shape[i])) {
    throw new ShapeError(
      `${argument}.mask`,
      `has shape [${mask.shape}] but values are [${values.shape}].`,
      'The mask needs one 0/1 entry per value.',
    );
  }
  if (times.length !== values.shape[1]) {
    throw new ShapeError(
      `${argument}.times`,
      `has ${times.length} entries but values have ${values.shape[1]} time steps.`,
      'Pass one time per step of axis 1.',
    );
  }
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    if (!Number.isFinite(t)) throw new InvalidArgumentError(`${argument}.times`, `entry ${i} is not finite (${t}).`);
    if (i > 0 && !(t > (times[i - 1] as number))) {
      throw new InvalidArgumentError(
        `${argument}.times`,
        `must be strictly increasing (entry ${i}: ${times[i - 1]} then ${t}).`,
        'Sort the grid and merge duplicate times.',
      );
    }
  }
}

/**
 * Throw unless query times are strictly increasing and start after `bound` (at it or after when
 * `inclusive`), as `predict`/`forecast` need; `where` names the bound in the message.
 * @param argument - Name of the checked argument, used in the error message.
 * @param times - Query times to check.
 * @param bound - Time the first query must come after (or reach, when `inclusive`).
 * @param o - `inclusive`: whether `times[0] === bound` is allowed; `where`: wording of the bound in the message (e.g. `'after the last observed time'`).
 * @throws InvalidArgumentError at the first entry that breaks the rule.
 *
 * @example
 * ```ts
 * assertQueryTimes('times', [2, 2.5], 1.9, { inclusive: false, where: 'after the last observed time' });
 * ```
 */
export function assertQueryTimes(
  argument: string,
  times: readonly number[],
  bound: number,
  o: { inclusive: boolean; where: string },
): void {
  times.forEach((t, i) => {
    const ok = i === 0 ? (o.inclusive ? t >= bound : t > bound) : t > (times[i - 1] as number);
    if (!ok) throw new InvalidArgumentError(argument, `must be increasing and ${o.where} ${bound} (entry ${i}: ${t}).`);
  });
}

/**
 * Put sequences with their own time grids on the union grid, with a mask (NaN features are masked).
 * The returned tensors belong to the caller (`disposeBatch`).
 * @param sequences - Non-empty list of sequences, all with the same number of features.
 * @returns A batch on the sorted union of all times, `values`/`mask` `[sequences.length, T, features]`.
 * @throws InvalidArgumentError / ShapeError for an empty list, non-finite times or ragged rows.
 *
 * @example
 * ```ts
 * const batch = collateSequences([
 *   { times: [0, 0.5], values: [[1], [2]] },
 *   { times: [0.2, 0.5, 0.9], values: [[0], [NaN], [3]] },
 * ]); // times [0, 0.2, 0.5, 0.9], values/mask [2, 4, 1]
 * ```
 */
export function collateSequences(sequences: readonly Sequence[]): IrregularBatch {
  if (!sequences || sequences.length === 0) throw new InvalidArgumentError('sequences', 'must be a non-empty array.');
  const d = sequences[0]?.values[0]?.length ?? 0;
  if (d === 0) throw new ShapeError('sequences', 'the first sequence has no values.');
  const all = new Set<number>();
  sequences.forEach((s, k) => {
    if (s.times.length !== s.values.length) {
      throw new ShapeError(
        `sequences[${k}]`,
        `has ${s.times.length} times and ${s.values.length} value rows.`,
        'Give one row of values per time.',
      );
    }
    s.times.forEach((t, i) => {
      if (!Number.isFinite(t)) throw new InvalidArgumentError(`sequences[${k}].times`, `entry ${i} is not finite.`);
      all.add(t);
    });
    s.values.forEach((row, i) => {
      if (row.length !== d) throw new ShapeError(`sequences[${k}].values[${i}]`, `has ${row.length} features, expected ${d}.`);
    });
  });
  const times = [...all].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const B = sequences.length;
  const T = times.length;
  const v = new Float32Array(B * T * d);
  const m = new Float32Array(B * T * d);
  sequences.forEach((s, b) => {
    s.times.forEach((t, i) => {
      const j = index.get(t) as number;
      (s.values[i] as readonly number[]).forEach((x, f) => {
        if (Number.isFinite(x)) {
          const o = (b * T + j) * d + f;
          v[o] = x;
          m[o] = 1;
        }
      });
    });
  });
  return { times, values: tf.tensor3d(v, [B, T, d]), mask: tf.tensor3d(m, [B, T, d]) };
}

/**
 * Split a batch at time `t`: `before` holds times ≤ t, `after` times > t (new tensors, caller owns them).
 * @param batch - The batch to split (validated; not disposed).
 * @param t - Split time; must leave at least one grid time on each side.
 * @throws InvalidArgumentError when one side would be empty.
 *
 * @example
 * ```ts
 * const { before: observed, after: future } = splitBatchAt(batch, 2.5);
 * ```
 */
export function splitBatchAt(batch: IrregularBatch, t: number): { before: IrregularBatch; after: IrregularBatch } {
  validateBatch(batch);
  const k = batch.times.filter((s) => s <= t).length;
  if (k === 0 || k === batch.times.length) {
    throw new InvalidArgumentError(
      't',
      `(${t}) leaves one side empty (grid ${batch.times[0]} … ${batch.times[batch.times.length - 1]}).`,
      'Pick a time strictly inside the grid.',
    );
  }
  return { before: sliceTimes(batch, 0, k), after: sliceTimes(batch, k, batch.times.length) };
}

/**
 * Time steps `[start, end)` of a batch (new tensors, caller owns them; the input is not disposed).
 * @param batch - The batch to slice along axis 1.
 * @param start - First time index kept (inclusive).
 * @param end - Time index where the slice stops (exclusive).
 *
 * @example
 * ```ts
 * const first50 = sliceTimes(batch, 0, 50);
 * ```
 */
export function sliceTimes(batch: IrregularBatch, start: number, end: number): IrregularBatch {
  const [B, , D] = batch.values.shape;
  const n = end - start;
  return {
    times: batch.times.slice(start, end),
    values: tf.slice(batch.values, [0, start, 0], [B, n, D]),
    mask: tf.slice(batch.mask, [0, start, 0], [B, n, D]),
  };
}

/**
 * Sequences `indices` of a batch (new tensors owned by the caller; times unchanged).
 * @param batch - The batch to gather from (not disposed).
 * @param indices - Sequence indices along axis 0, in output order (repeats allowed).
 *
 * @example
 * ```ts
 * const mini = selectSequences(train, [0, 5, 9]);
 * ```
 */
export function selectSequences(batch: IrregularBatch, indices: readonly number[]): IrregularBatch {
  const idx = tf.tensor1d([...indices], 'int32');
  const out = { times: batch.times, values: tf.gather(batch.values, idx) as tf.Tensor3D, mask: tf.gather(batch.mask, idx) as tf.Tensor3D };
  idx.dispose();
  return out;
}

/**
 * Release a batch's tensors.
 * @param batch - The batch whose `values` and `mask` are disposed.
 *
 * @example
 * ```ts
 * disposeBatch(batch);
 * ```
 */
export function disposeBatch(batch: IrregularBatch): void {
  batch.values.dispose();
  batch.mask.dispose();
}
