/**
 * Symmetric eigendecomposition in float64: Householder tridiagonalisation followed by the implicit
 * QL algorithm (EISPACK tred2/tql2, after JAMA), stored transposed so every inner loop is contiguous.
 * Cost: about (4/3)n³ flops for the eigenvalues; eigenvectors add about 6n³ more.
 */
import { InvalidArgumentError, UnsupportedError } from '@nde/core';
import { assertSquare, toMatrix64, type Matrix64, type MatrixLike } from './matrix.js';

/** Result of {@link eigh}. */
export interface EighResult {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Eigenvectors as the ROWS of an n×n matrix (row i pairs with `values[i]`); absent when not requested. */
  readonly vectors?: Matrix64;
}

/** Options of {@link eigh}. */
export interface EighOptions {
  /** Also compute eigenvectors (default true). Eigenvalues alone are about 5× cheaper. */
  vectors?: boolean;
  /** QL iterations allowed per eigenvalue (default 60). */
  maxIterations?: number;
}

/**
 * Eigenvalues (and optionally eigenvectors) of a symmetric matrix. Only the upper triangle is read
 * (the lower is assumed to mirror it).
 *
 * @param a - symmetric `[n, n]` matrix as a {@link MatrixLike} (copied; a tensor is read synchronously and not disposed). Only the upper triangle is read.
 * @param options - `vectors` (also compute eigenvectors, default true) and `maxIterations` (QL iterations allowed per eigenvalue, default 60); see {@link EighOptions}.
 *
 * @throws {@link @nde/core!InvalidArgumentError} on non-finite entries.
 * @throws {@link @nde/core!UnsupportedError} if QL fails to converge (should not happen for finite input).
 *
 * @example
 * ```ts
 * const { values, vectors } = eigh([[2, 1], [1, 2]]);
 * // values = [1, 3]; vectors rows ≈ [-0.707, 0.707], [0.707, 0.707]
 * ```
 */
export function eigh(a: MatrixLike, options: EighOptions = {}): EighResult {
  const { vectors = true, maxIterations = 60 } = options;
  const m = toMatrix64(a, 'a');
  const n = assertSquare('a', m);
  const W = m.data; // a copy; W = Vᵀ of the JAMA formulation
  for (let i = 0; i < W.length; i++) {
    if (!Number.isFinite(W[i] as number))
      throw new InvalidArgumentError('a', `entry ${i} is ${W[i]}.`, 'Remove NaN/Inf before the eigendecomposition.');
  }
  // Mirror the upper triangle into the lower so either may be read.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) W[j * n + i] = W[i * n + j] as number;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return vectors ? { values: d, vectors: { rows: 0, cols: 0, data: W } } : { values: d };
  // Values only: a fused, lower-triangle reduction (one pass over the matrix per step instead of two).
  if (vectors) tred2(W, n, d, e, true);
  else tridiagonalValues(W, n, d, e);
  tql2(W, n, d, e, vectors, maxIterations);
  // Sort ascending.
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => (d[x] as number) - (d[y] as number));
  const values = Float64Array.from(order, (i) => d[i] as number);
  if (!vectors) return { values };
  const V = new Float64Array(n * n);
  order.forEach((src, dst) => V.set(W.subarray(src * n, src * n + n), dst * n));
  return { values, vectors: { rows: n, cols: n, data: V } };
}

/** Householder reduction to tridiagonal form. With `W = Vᵀ`, JAMA's `V[a][b]` is `W[b*n + a]`. */
function tred2(W: Float64Array, n: number, d: Float64Array, e: Float64Array, accumulate: boolean): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1] as number;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + i - 1] as number;
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        const v = (d[k] as number) / scale;
        d[k] = v;
        h += v * v;
      }
      let f = d[i - 1] as number;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        W[i * n + j] = f;
        const row = j * n;
        g = (e[j] as number) + (W[row + j] as number) * f;
        for (let k = j + 1; k < i; k++) {
          const w = W[row + k] as number;
          g += w * (d[k] as number);
          e[k] = (e[k] as number) + w * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = (e[j] as number) / h;
        f += (e[j] as number) * (d[j] as number);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = (e[j] as number) - hh * (d[j] as number);
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        g = e[j] as number;
        const row = j * n;
        for (let k = j; k < i; k++) W[row + k] = (W[row + k] as number) - (f * (e[k] as number) + g * (d[k] as number));
        d[j] = W[row + i - 1] as number;
        W[row + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!accumulate) {
    for (let i = 0; i < n; i++) d[i] = W[i * n + i] as number;
    e[0] = 0;
    return;
  }
  for (let i = 0; i < n - 1; i++) {
    W[i * n + n - 1] = W[i * n + i] as number;
    W[i * n + i] = 1;
    const h = d[i + 1] as number;
    const rowNext = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = (W[rowNext + k] as number) / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += (W[rowNext + k] as number) * (W[row + k] as number);
        for (let k = 0; k <= i; k++) W[row + k] = (W[row + k] as number) - g * (d[k] as number);
      }
    }
    for (let k = 0; k <= i; k++) W[rowNext + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1] as number;
    W[j * n + n - 1] = 0;
  }
  W[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Householder tridiagonalisation for eigenvalues only: diagonal into `d`, subdiagonal into `e` (`e[i]` couples
 * `i − 1` and `i`, `e[0] = 0`), as {@link tred2} leaves them. Reads and writes the lower triangle row by row
 * (contiguous), and fuses step i's rank-2 update `A −= u qᵀ + q uᵀ` with step i − 1's product `A u'`, so each
 * step streams the active triangle once instead of twice (the matrix, 32 MB at n = 2048, does not fit in cache).
 */
function tridiagonalValues(A: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  // The pending update (pu, pq) from the previous step, and this step's vector u and product p (becomes q).
  let pu = new Float64Array(n);
  let pq = new Float64Array(n);
  let u = new Float64Array(n);
  let p = new Float64Array(n);
  for (let i = n - 1; i >= 1; i--) {
    const ri = i * n;
    const qi = pq[i] as number;
    const vi = pu[i] as number;
    // Row i gets the pending update first: its entries left of the diagonal define the next reflector.
    let scale = 0;
    for (let k = 0; k < i; k++) {
      const a = (A[ri + k] as number) - qi * (pu[k] as number) - vi * (pq[k] as number);
      A[ri + k] = a;
      scale += Math.abs(a);
    }
    d[i] = (A[ri + i] as number) - 2 * qi * vi;
    let h = 0;
    if (scale === 0) {
      // Nothing to annihilate: u = 0 makes the pass below apply the pending update only (p = q = 0).
      e[i] = 0;
      u.fill(0, 0, i);
      h = 1;
    } else {
      for (let k = 0; k < i; k++) {
        const v = (A[ri + k] as number) / scale;
        u[k] = v;
        h += v * v;
      }
      const f = u[i - 1] as number;
      const g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      u[i - 1] = f - g;
    }
    // Fused pass over rows 0..i−1: apply the pending update and accumulate p = A u (lower triangle, symmetric).
    p.fill(0, 0, i);
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      const qj = pq[j] as number;
      const vj = pu[j] as number;
      const uj = u[j] as number;
      let s0 = 0;
      let s1 = 0;
      let k = 0;
      // Two accumulators: the dot product's add latency is the chain; the rest is independent.
      for (; k + 1 < j; k += 2) {
        const a0 = (A[rj + k] as number) - qj * (pu[k] as number) - vj * (pq[k] as number);
        const a1 = (A[rj + k + 1] as number) - qj * (pu[k + 1] as number) - vj * (pq[k + 1] as number);
        A[rj + k] = a0;
        A[rj + k + 1] = a1;
        s0 += a0 * (u[k] as number);
        s1 += a1 * (u[k + 1] as number);
        p[k] = (p[k] as number) + a0 * uj;
        p[k + 1] = (p[k + 1] as number) + a1 * uj;
      }
      for (; k < j; k++) {
        const a0 = (A[rj + k] as number) - qj * (pu[k] as number) - vj * (pq[k] as number);
        A[rj + k] = a0;
        s0 += a0 * (u[k] as number);
        p[k] = (p[k] as number) + a0 * uj;
      }
      const ajj = (A[rj + j] as number) - 2 * qj * vj;
      A[rj + j] = ajj;
      p[j] = (p[j] as number) + s0 + s1 + ajj * uj;
    }
    // q = p/h − (uᵀp / 2h²) u, so that P A P = A − u qᵀ − q uᵀ on the block 0..i−1.
    let F = 0;
    for (let j = 0; j < i; j++) {
      const v = (p[j] as number) / h;
      p[j] = v;
      F += (u[j] as number) * v;
    }
    const K = F / (h + h);
    for (let j = 0; j < i; j++) p[j] = (p[j] as number) - K * (u[j] as number);
    for (let j = i; j < n; j++) {
      u[j] = 0;
      p[j] = 0;
    }
    // (u, q) becomes the pending update; the old pending buffers are reused.
    [pu, u] = [u, pu];
    [pq, p] = [p, pq];
  }
  d[0] = n > 0 ? (A[0] as number) - 2 * (pq[0] as number) * (pu[0] as number) : 0;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), rotating the rows of W when `accumulate`. */
function tql2(W: Float64Array, n: number, d: Float64Array, e: Float64Array, accumulate: boolean, maxIterations: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m] as number) <= eps * tst1) break;
      m++;
    }
    if (m === n) m = n - 1;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > maxIterations) {
          throw new UnsupportedError(
            'a',
            `QL did not converge for eigenvalue ${l} in ${maxIterations} iterations.`,
            'Check the matrix for extreme scaling; raise maxIterations.',
          );
        }
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const dl1 = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
        f += h;
        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          const ei = e[i] as number;
          g = c * ei;
          h = c * p;
          r = Math.hypot(p, ei);
          e[i + 1] = s * r;
          s = ei / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          if (accumulate) {
            const r0 = i * n;
            const r1 = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const hk = W[r1 + k] as number;
              const vk = W[r0 + k] as number;
              W[r1 + k] = s * vk + c * hk;
              W[r0 + k] = c * vk - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] as number) > eps * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
}
