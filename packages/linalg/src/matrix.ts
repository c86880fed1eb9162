/**
 * Dense float64 matrices in plain JS: row-major `Float64Array`s. Used where tfjs float32 is not
 * precise enough (covariances, Cholesky, eigenvalues, matrix square roots).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@nde/core';

/** A dense row-major float64 matrix. */
export interface Matrix64 {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Row-major values, length `rows * cols`. */
  readonly data: Float64Array;
}

/** What the float64 routines accept: a {@link Matrix64}, nested arrays, or a rank-2 tensor (read with `dataSync`). */
export type MatrixLike = Matrix64 | readonly (readonly number[])[] | tf.Tensor2D;

/**
 * Convert to a {@link Matrix64} (copies; tensors are read synchronously and not disposed).
 *
 * @param x - the matrix: a {@link Matrix64}, a rectangular nested array of rows, or a rank-2 tensor (read with `dataSync`, not disposed). Always copied, so the result never shares memory with `x`.
 * @param argument - name of the argument reported in the `ShapeError` message (default `'matrix'`).
 *
 * @throws {@link @nde/core!ShapeError} for ragged arrays or tensors that are not rank 2.
 *
 * @example
 * ```ts
 * const m = toMatrix64([[1, 2], [3, 4]]);   // { rows: 2, cols: 2, data: Float64Array [1, 2, 3, 4] }
 * ```
 */
export function toMatrix64(x: MatrixLike, argument = 'matrix'): Matrix64 {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new ShapeError(argument, `has rank ${x.rank}; expected a 2-D matrix.`, 'Reshape to [rows, cols].');
    return { rows: x.shape[0], cols: x.shape[1], data: Float64Array.from(x.dataSync()) };
  }
  if (Array.isArray(x)) {
    const rows = x.length;
    const cols = rows ? (x[0] as number[]).length : 0;
    const data = new Float64Array(rows * cols);
    (x as number[][]).forEach((row, i) => {
      if (row.length !== cols)
        throw new ShapeError(argument, `row ${i} has ${row.length} entries, row 0 has ${cols}.`, 'Pass a rectangular array.');
      data.set(row, i * cols);
    });
    return { rows, cols, data };
  }
  const m = x as Matrix64;
  if (m.data.length !== m.rows * m.cols) throw new ShapeError(argument, `data has ${m.data.length} entries for ${m.rows}×${m.cols}.`);
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

/**
 * Check that `m` is square (returns its size).
 *
 * @param argument - name of the argument reported in the `ShapeError` when `m` is not square.
 * @param m - the matrix to check (not modified).
 *
 * @example
 * ```ts
 * const n = assertSquare('cov', toMatrix64([[1, 0], [0, 1]])); // 2
 * ```
 */
export function assertSquare(argument: string, m: Matrix64): number {
  if (m.rows !== m.cols)
    throw new ShapeError(argument, `is ${m.rows}×${m.cols}; expected a square matrix.`, 'Pass a covariance (d×d) matrix.');
  return m.rows;
}

/**
 * Nested-array copy of a {@link Matrix64}.
 *
 * @param m - the matrix to copy: `m.rows` new arrays of `m.cols` numbers each (nothing shares memory with `m.data`).
 *
 * @example
 * ```ts
 * toArray2d(identity64(2)); // [[1, 0], [0, 1]]
 * ```
 */
export function toArray2d(m: Matrix64): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

/**
 * The n×n identity.
 *
 * @param n - number of rows and columns (0 gives an empty 0×0 matrix).
 *
 * @example
 * ```ts
 * identity64(3).data; // Float64Array [1,0,0, 0,1,0, 0,0,1]
 * ```
 */
export function identity64(n: number): Matrix64 {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return { rows: n, cols: n, data };
}

/**
 * `a · b` in float64 (cache-friendly i-k-j loop; O(mkn), about 1.3 GFLOP/s in V8 — use tfjs for big products).
 *
 * @param a - left factor `[m, k]` (not modified).
 * @param b - right factor `[k, n]`; `b.rows` must equal `a.cols` (not modified). The `[m, n]` product is a new matrix.
 *
 * @throws {@link @nde/core!ShapeError} when inner dimensions differ.
 *
 * @example
 * ```ts
 * const c = matmul64(toMatrix64([[1, 2]]), toMatrix64([[3], [4]])); // [[11]]
 * ```
 */
export function matmul64(a: Matrix64, b: Matrix64): Matrix64 {
  if (a.cols !== b.rows) throw new ShapeError('b', `has ${b.rows} rows; a has ${a.cols} columns.`, 'Inner dimensions must agree.');
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const A = a.data;
  const B = b.data;
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const v = A[i * k + p] as number;
      if (v === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j] = (C[ci + j] as number) + v * (B[bp + j] as number);
    }
  }
  return { rows: m, cols: n, data: C };
}

/**
 * Transpose.
 *
 * @param a - the `[r, c]` matrix (not modified); the result is a new `[c, r]` matrix.
 *
 * @example
 * ```ts
 * transpose64(toMatrix64([[1, 2]])); // 2×1
 * ```
 */
export function transpose64(a: Matrix64): Matrix64 {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j] as number;
  return { rows: a.cols, cols: a.rows, data: out };
}

/**
 * Frobenius norm.
 *
 * @param a - any matrix; all `rows·cols` entries count.
 *
 * @example
 * ```ts
 * frobenius64(identity64(4)); // 2
 * ```
 */
export function frobenius64(a: Matrix64): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] as number) ** 2;
  return Math.sqrt(s);
}

/**
 * Largest |a_ij − a_ji|, relative to the largest |a_ij| (0 for a symmetric matrix).
 *
 * @param a - a square `[n, n]` matrix (only `a.rows` is read as its size).
 *
 * @example
 * ```ts
 * asymmetry64(toMatrix64([[1, 2], [2, 1]])); // 0
 * ```
 */
export function asymmetry64(a: Matrix64): number {
  const n = a.rows;
  let d = 0;
  let big = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      big = Math.max(big, Math.abs(a.data[i * n + j] as number));
      if (j > i) d = Math.max(d, Math.abs((a.data[i * n + j] as number) - (a.data[j * n + i] as number)));
    }
  }
  return big === 0 ? 0 : d / big;
}

/**
 * Product of two float64 matrices computed with a tfjs float32 matmul (fast on wasm/webgpu for
 * large sizes; about 1e-6 relative error). Inputs are float64; the result is returned as float64.
 *
 * @param a - left factor `[m, k]`, rounded to float32 for the product (not modified).
 * @param b - right factor `[k, n]`; `b.rows` must equal `a.cols`, else a `ShapeError` is thrown. The temporary tensors are disposed; the `[m, n]` result is a new float64 matrix.
 *
 * @example
 * ```ts
 * const c = await matmulViaTf(a, b); // same as matmul64(a, b) to ~1e-6 relative
 * ```
 */
export async function matmulViaTf(a: Matrix64, b: Matrix64): Promise<Matrix64> {
  if (a.cols !== b.rows) throw new ShapeError('b', `has ${b.rows} rows; a has ${a.cols} columns.`, 'Inner dimensions must agree.');
  const c = tf.tidy(() =>
    tf.matMul(tf.tensor2d(Float32Array.from(a.data), [a.rows, a.cols]), tf.tensor2d(Float32Array.from(b.data), [b.rows, b.cols])),
  );
  const data = Float64Array.from(await c.data());
  c.dispose();
  return { rows: a.rows, cols: b.cols, data };
}
