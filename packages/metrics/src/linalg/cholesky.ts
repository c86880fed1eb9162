/** Cholesky factorisation of a symmetric positive-definite matrix, in float64. */
import { InvalidArgumentError } from '@nde/core';
import { assertSquare, toMatrix64, type Matrix64, type MatrixLike } from '@nde/linalg';

/**
 * Lower-triangular `L` with `A = L Lᵀ`, or `undefined` when `A` is not (numerically) positive definite.
 * Reads the lower triangle of `A`. Cost n³/3 multiply-adds, four rows at a time.
 *
 * @param a - symmetric `[n, n]` matrix as a {@link MatrixLike} (copied; a tensor is read synchronously and not disposed). Only the lower triangle is read.
 *
 * @example
 * ```ts
 * const L = cholesky([[4, 2], [2, 3]]);   // [[2, 0], [1, 1.414…]]
 * cholesky([[0, 0], [0, 1]]);            // undefined (singular)
 * ```
 */
export function cholesky(a: MatrixLike): Matrix64 | undefined {
  const m = toMatrix64(a, 'a');
  const n = assertSquare('a', m);
  const A = m.data;
  // Three spare rows so the last block of four reads and writes in bounds; sliced off at the end.
  const L = new Float64Array((n + 3) * n);
  for (let i0 = 0; i0 < n; i0 += 4) {
    const r0 = i0 * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    const nb = Math.min(4, n - i0);
    // Columns left of the block, four rows at a time: each row j of L is loaded once for four dot products
    // (four independent accumulators, and a quarter of the memory traffic of one row at a time).
    for (let j = 0; j < i0; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < j; k++) {
        const l = L[rj + k] as number;
        s0 += (L[r0 + k] as number) * l;
        s1 += (L[r1 + k] as number) * l;
        s2 += (L[r2 + k] as number) * l;
        s3 += (L[r3 + k] as number) * l;
      }
      const djj = L[rj + j] as number;
      L[r0 + j] = ((A[r0 + j] as number) - s0) / djj;
      if (nb > 1) L[r1 + j] = ((A[r1 + j] as number) - s1) / djj;
      if (nb > 2) L[r2 + j] = ((A[r2 + j] as number) - s2) / djj;
      if (nb > 3) L[r3 + j] = ((A[r3 + j] as number) - s3) / djj;
    }
    // The diagonal block, one entry at a time.
    for (let i = i0; i < i0 + nb; i++) {
      const ri = i * n;
      for (let j = i0; j <= i; j++) {
        const rj = j * n;
        let s = A[ri + j] as number;
        for (let k = 0; k < j; k++) s -= (L[ri + k] as number) * (L[rj + k] as number);
        if (i === j) {
          if (!(s > 0) || !Number.isFinite(s)) return undefined;
          L[ri + i] = Math.sqrt(s);
        } else {
          L[ri + j] = s / (L[rj + j] as number);
        }
      }
    }
  }
  return { rows: n, cols: n, data: L.slice(0, n * n) };
}

/**
 * `Lᵀ B L` for lower-triangular `L` and symmetric `B`, in float64 (exploits the triangle; n³·5/6 flops).
 *
 * @param L - lower-triangular `[n, n]` factor, e.g. from {@link cholesky}; entries above the diagonal are ignored (not modified).
 * @param b - symmetric `[n, n]` matrix of the same size as `L` (not modified). The symmetric result is a new matrix.
 *
 * @example
 * ```ts
 * const M = congruenceLower(cholesky(cov1)!, toMatrix64(cov2)); // eigenvalues of M = eigenvalues of cov1·cov2
 * ```
 */
export function congruenceLower(L: Matrix64, b: Matrix64): Matrix64 {
  const n = L.rows;
  if (b.rows !== n || b.cols !== n)
    throw new InvalidArgumentError('b', `is ${b.rows}×${b.cols}, L is ${n}×${n}.`, 'Use matrices of the same size.');
  const Ld = L.data;
  const B = b.data;
  // X = B L  (X[i][j] = Σ_{k≥j} B[i][k] L[k][j])
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < n; k++) {
      const v = B[ri + k] as number;
      if (v === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) X[ri + j] = (X[ri + j] as number) + v * (Ld[rk + j] as number);
    }
  }
  // M = Lᵀ X, upper triangle (M[i][j] = Σ_{k≥i} L[k][i] X[k][j]), then mirrored.
  const M = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const v = Ld[rk + i] as number;
      if (v === 0) continue;
      const ri = i * n;
      for (let j = i; j < n; j++) M[ri + j] = (M[ri + j] as number) + v * (X[rk + j] as number);
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) M[j * n + i] = M[i * n + j] as number;
  return { rows: n, cols: n, data: M };
}
