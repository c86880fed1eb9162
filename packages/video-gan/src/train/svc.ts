/**
 * Singular value clipping (Saito et al., TGAN): after a critic update, every weight `W` (reshaped to a
 * matrix `[fanIn, out]`) is replaced by `U·min(Σ, 1)·Vᵀ`, so its spectral norm — and the critic's
 * Lipschitz constant through that layer — is at most 1. Computed on the host in float64 from the
 * eigendecomposition of the smaller Gram matrix (`WᵀW = V Σ² Vᵀ`, `W' = W V min(1, 1/σ) Vᵀ`).
 */
import * as tf from '@tensorflow/tfjs';
import { eigh } from '@nde/linalg';

/** Host float64 `[rows, cols]` matrix. */
interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

function gram(w: Mat, side: 'cols' | 'rows'): Mat {
  const { rows, cols, data } = w;
  const n = side === 'cols' ? cols : rows;
  const g = new Float64Array(n * n);
  if (side === 'cols') {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let i = 0; i < cols; i++) {
        const a = data[o + i] as number;
        if (a === 0) continue;
        for (let j = i; j < cols; j++) g[i * n + j] = (g[i * n + j] as number) + a * (data[o + j] as number);
      }
    }
  } else {
    for (let i = 0; i < rows; i++) {
      for (let j = i; j < rows; j++) {
        let s = 0;
        for (let k = 0; k < cols; k++) s += (data[i * cols + k] as number) * (data[j * cols + k] as number);
        g[i * n + j] = s;
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i] as number;
  return { rows: n, cols: n, data: g };
}

/**
 * Singular values of a `[rows, cols]` matrix given row-major (float64, descending).
 *
 * @param values - The `rows·cols` entries, row-major (copied to float64; not modified).
 * @param rows - Number of rows.
 * @param cols - Number of columns.
 * @returns `min(rows, cols)` singular values, largest first.
 * @example
 * ```ts
 * singularValues(Float32Array.from([3, 0, 0, 4]), 2, 2); // [4, 3]
 * ```
 */
export function singularValues(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const w = { rows, cols, data: Float64Array.from(values) };
  const g = gram(w, cols <= rows ? 'cols' : 'rows');
  return Array.from(eigh(g, { vectors: false }).values, (x) => Math.sqrt(Math.max(0, x))).sort((a, b) => b - a);
}

/**
 * Clip the singular values of a row-major `[rows, cols]` matrix at `bound`; returns a new array.
 *
 * @param values - The `rows·cols` entries, row-major (not modified).
 * @param rows - Number of rows.
 * @param cols - Number of columns.
 * @param bound - Largest singular value kept (default 1); larger ones are set to it.
 * @returns The clipped matrix, row-major float64 (a copy of `values` when nothing exceeds `bound`).
 * @example
 * ```ts
 * clipSingularValues(Float32Array.from([3, 0, 0, 0.5]), 2, 2); // [1, 0, 0, 0.5]
 * ```
 */
export function clipSingularValues(values: ArrayLike<number>, rows: number, cols: number, bound = 1): Float64Array {
  const w: Mat = { rows, cols, data: Float64Array.from(values) };
  const right = cols <= rows; // Gram of the smaller side
  const g = gram(w, right ? 'cols' : 'rows');
  const n = g.rows;
  const { values: ev, vectors } = eigh(g);
  const V = (vectors as Mat).data; // eigenvectors as rows
  const scale = Array.from(ev, (e) => {
    const s = Math.sqrt(Math.max(0, e));
    return s > bound ? bound / s : 1;
  });
  if (scale.every((s) => s === 1)) return w.data;
  // P = V diag(scale) Vᵀ (n×n, V's columns are the eigenvectors = rows of `vectors`)
  const P = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const sk = (scale[k] as number) - 1; // P = I + V diag(scale - 1) Vᵀ: only the clipped directions
    if (sk === 0) continue;
    for (let i = 0; i < n; i++) {
      const vi = (V[k * n + i] as number) * sk;
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) P[i * n + j] = (P[i * n + j] as number) + vi * (V[k * n + j] as number);
    }
  }
  for (let i = 0; i < n; i++) P[i * n + i] = (P[i * n + i] as number) + 1;
  const out = new Float64Array(rows * cols);
  if (right) {
    // W P
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < cols; i++) {
        const a = w.data[r * cols + i] as number;
        if (a === 0) continue;
        for (let j = 0; j < cols; j++) out[r * cols + j] = (out[r * cols + j] as number) + a * (P[i * n + j] as number);
      }
  } else {
    // P W
    for (let i = 0; i < rows; i++)
      for (let k = 0; k < rows; k++) {
        const p = P[i * n + k] as number;
        if (p === 0) continue;
        for (let j = 0; j < cols; j++) out[i * cols + j] = (out[i * cols + j] as number) + p * (w.data[k * cols + j] as number);
      }
  }
  return out;
}

/**
 * `[fanIn, out]` view of a weight: the last axis is the output axis (Dense `[in, out]`, Conv2d `[kh, kw, in, out]`).
 *
 * @param shape - Shape of the weight (rank ≥ 1).
 * @returns `[product of all but the last axis, last axis]`.
 */
export function weightMatrixShape(shape: readonly number[]): [number, number] {
  const out = shape[shape.length - 1] as number;
  return [shape.reduce((a, b) => a * b, 1) / out, out];
}

/**
 * Apply singular value clipping in place to every variable of rank ≥ 2 (biases are left alone).
 * Returns the largest singular value seen before clipping.
 *
 * @param variables - Variables to clip (e.g. `discriminator.parameters()`); assigned in place.
 * @param bound - Largest singular value allowed (default 1).
 * @returns The largest singular value over all weights before clipping (0 when there are none).
 * @example
 * ```ts
 * const before = singularValueClip(discriminator.parameters()); // every weight now has σ_max ≤ 1
 * ```
 */
export function singularValueClip(variables: readonly tf.Variable[], bound = 1): number {
  let maxSigma = 0;
  for (const v of variables) {
    if (v.rank < 2) continue;
    const [rows, cols] = weightMatrixShape(v.shape);
    const data = v.dataSync();
    const sv = singularValues(data, rows, cols);
    maxSigma = Math.max(maxSigma, sv[0] ?? 0);
    if ((sv[0] ?? 0) <= bound) continue;
    const clipped = clipSingularValues(data, rows, cols, bound);
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(clipped), v.shape)));
  }
  return maxSigma;
}

/**
 * WGAN weight clipping in place: every parameter to `[-bound, bound]`.
 *
 * @param variables - Variables to clip, assigned in place (biases included).
 * @param bound - Clipping bound (> 0; WGAN: 0.01).
 * @example
 * ```ts
 * clipWeights(discriminator.parameters(), 0.01);
 * ```
 */
export function clipWeights(variables: readonly tf.Variable[], bound: number): void {
  tf.tidy(() => variables.forEach((v) => v.assign(tf.clipByValue(v, -bound, bound))));
}
