/**
 * Matrix square roots in float64: of a symmetric PSD matrix (eigendecomposition, with residual),
 * Newton–Schulz (with an error check), and the trace of √(A·B) that the Fréchet distance needs.
 */
import { InvalidArgumentError, UnsupportedError } from '@nde/core';
import { eigh } from '@nde/linalg';
import { cholesky, congruenceLower } from './cholesky.js';
import {
  assertSquare,
  frobenius64,
  identity64,
  matmul64,
  matmulViaTf,
  toMatrix64,
  transpose64,
  type Matrix64,
  type MatrixLike,
} from '@nde/linalg';

/** A square root and how well it squares back. */
export interface SqrtmResult {
  /** The square root `S` (symmetric for {@link sqrtmPsd}). */
  readonly sqrt: Matrix64;
  /** `‖S·S − A‖_F / ‖A‖_F`. */
  readonly residual: number;
}

/**
 * Principal square root of a symmetric positive semi-definite matrix: `S = V diag(√max(λ, 0)) Vᵀ`.
 * Negative eigenvalues down to `-tolerance·λ_max` are rounding and are clamped to 0; larger ones throw.
 *
 * @param a - symmetric positive semi-definite `[n, n]` matrix as a {@link MatrixLike} (copied; a tensor is read synchronously and not disposed).
 * @param options - `tolerance` (default 1e-8): eigenvalues down to `−tolerance·max|λ|` count as rounding and are clamped to 0; a more negative one throws.
 *
 * @throws {@link @nde/core!InvalidArgumentError} when `a` has a clearly negative eigenvalue (not PSD).
 *
 * @example
 * ```ts
 * const { sqrt, residual } = sqrtmPsd([[4, 0], [0, 9]]);   // sqrt = [[2, 0], [0, 3]], residual ≈ 0
 * ```
 */
export function sqrtmPsd(a: MatrixLike, options: { tolerance?: number } = {}): SqrtmResult {
  const { tolerance = 1e-8 } = options;
  const A = toMatrix64(a, 'a');
  const n = assertSquare('a', A);
  const { values, vectors } = eigh(A);
  const V = vectors as Matrix64; // rows are eigenvectors
  const top = Math.max(Math.abs(values[0] ?? 0), Math.abs(values[n - 1] ?? 0));
  const lo = values[0] ?? 0;
  if (lo < -tolerance * top) {
    throw new InvalidArgumentError(
      'a',
      `is not positive semi-definite (smallest eigenvalue ${lo.toExponential(3)}, largest ${top.toExponential(3)}).`,
      'Pass a covariance matrix; for general matrices use sqrtmNewtonSchulz.',
    );
  }
  // S = Σ_i √λ_i v_i v_iᵀ = Vᵀ D V with V's rows as eigenvectors.
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(Math.max(values[i] as number, 0));
    for (let k = 0; k < n; k++) scaled[i * n + k] = r * (V.data[i * n + k] as number);
  }
  const S = matmul64(transpose64(V), { rows: n, cols: n, data: scaled });
  return { sqrt: S, residual: sqrtResidual(S, A) };
}

/**
 * `‖S·S − A‖_F / ‖A‖_F`.
 *
 * @param S - the candidate square root `[n, n]`.
 * @param A - the `[n, n]` matrix `S` should square to; for `‖A‖_F = 0` the absolute residual `‖S·S‖_F` is returned.
 *
 * @example
 * ```ts
 * sqrtResidual(toMatrix64([[2, 0], [0, 3]]), toMatrix64([[4, 0], [0, 9]])); // 0
 * ```
 */
export function sqrtResidual(S: Matrix64, A: Matrix64): number {
  const SS = matmul64(S, S);
  const diff = SS.data.map((v, i) => v - (A.data[i] as number));
  const na = frobenius64(A);
  return frobenius64({ rows: A.rows, cols: A.cols, data: diff }) / (na === 0 ? 1 : na);
}

/** Options of {@link sqrtmNewtonSchulz}. */
export interface NewtonSchulzOptions {
  /** Iteration cap (default 100). */
  maxIterations?: number;
  /** Stop when the relative residual is below this (default 1e-12). */
  tolerance?: number;
  /** Throw if the final residual exceeds this (default 1e-6). */
  acceptResidual?: number;
}

/**
 * Coupled Newton–Schulz iteration for the square root of a matrix whose eigenvalues have positive real
 * part (e.g. a product of two covariances). Matmul-only; the residual is checked each step.
 *
 * @param a - square `[n, n]` matrix whose eigenvalues have positive real part, as a {@link MatrixLike} (copied; a tensor is not disposed). The zero matrix returns a zero root with residual 0.
 * @param options - `maxIterations` (default 100), `tolerance` (stop once the relative residual is below it, default 1e-12) and `acceptResidual` (throw if the best residual exceeds it, default 1e-6); see {@link NewtonSchulzOptions}.
 *
 * @throws {@link @nde/core!UnsupportedError} when it does not reach `acceptResidual` (ill-conditioned input: use the eigen route).
 *
 * @example
 * ```ts
 * const { sqrt, residual } = sqrtmNewtonSchulz([[4, 1], [0, 9]]);
 * ```
 */
export function sqrtmNewtonSchulz(a: MatrixLike, options: NewtonSchulzOptions = {}): SqrtmResult {
  const { maxIterations = 100, tolerance = 1e-12, acceptResidual = 1e-6 } = options;
  const A = toMatrix64(a, 'a');
  const n = assertSquare('a', A);
  const norm = frobenius64(A);
  if (norm === 0) return { sqrt: { rows: n, cols: n, data: new Float64Array(n * n) }, residual: 0 };
  let Y: Matrix64 = { rows: n, cols: n, data: A.data.map((v) => v / norm) };
  let Z = identity64(n);
  const scale = Math.sqrt(norm);
  let residual = Infinity;
  let best: { S: Matrix64; r: number } | undefined;
  for (let it = 0; it < maxIterations; it++) {
    const ZY = matmul64(Z, Y);
    const T: Matrix64 = { rows: n, cols: n, data: ZY.data.map((v, i) => (i % (n + 1) === 0 ? 3 - v : -v) * 0.5) };
    Y = matmul64(Y, T);
    Z = matmul64(T, Z);
    const S: Matrix64 = { rows: n, cols: n, data: Y.data.map((v) => v * scale) };
    residual = sqrtResidual(S, A);
    if (!Number.isFinite(residual)) break;
    if (!best || residual < best.r) best = { S, r: residual };
    if (residual < tolerance) break;
  }
  if (!best || best.r > acceptResidual) {
    throw new UnsupportedError(
      'a',
      `Newton–Schulz reached a residual of ${best?.r ?? residual} (> ${acceptResidual}).`,
      'The matrix is too ill-conditioned for Newton–Schulz: use sqrtmPsd or traceSqrtProduct (eigen route).',
    );
  }
  return { sqrt: best.S, residual: best.r };
}

/** Options of {@link traceSqrtProduct}. */
export interface TraceSqrtOptions {
  /**
   * How to form `Lᵀ B L`: `float64` (exact JS, O(n³) in V8), `tfjs` (a float32 tfjs matmul: fast for
   * large n on wasm/webgpu, ~1e-6 relative error), or `auto` (float64 up to n = 512, tfjs above; default).
   */
  products?: 'auto' | 'float64' | 'tfjs';
}

/** What {@link traceSqrtProduct} computed and how. */
export interface TraceSqrtResult {
  /** `tr √(A·B)`. */
  readonly trace: number;
  /** Eigenvalues of `A·B` (ascending; clamped at 0 for the trace). */
  readonly eigenvalues: Float64Array;
  /** `cholesky` (A positive definite) or `eigh` (A singular: eigenvector route). */
  readonly route: 'cholesky' | 'eigh';
}

/**
 * `tr √(A·B)` for symmetric PSD `A`, `B` — the cross term of the Fréchet distance — without forming the
 * non-symmetric product: `A·B` is similar to `Lᵀ B L` (`A = L Lᵀ`), which is symmetric PSD, so the
 * trace is `Σ √λ_i` over its eigenvalues (tridiagonalisation + QL, no eigenvectors). If `A` is singular
 * the route is `A = V Λ Vᵀ`, `Λ^½ Vᵀ B V Λ^½`.
 *
 * @param a - symmetric PSD `[d, d]` matrix, e.g. the first covariance (copied; a tensor is not disposed). If it has a Cholesky factor the `cholesky` route is taken, otherwise `eigh`.
 * @param b - symmetric PSD `[d, d]` matrix of the same size as `a` (copied; a tensor is not disposed).
 * @param options - `products`: how the `[d, d]` congruence products are formed — `'float64'`, `'tfjs'` (float32) or `'auto'` (default: tfjs above d = 512); see {@link TraceSqrtOptions}.
 *
 * @example
 * ```ts
 * const { trace } = await traceSqrtProduct([[1, 0], [0, 4]], [[1, 0], [0, 4]]);   // 1 + 4 = 5
 * ```
 */
export async function traceSqrtProduct(a: MatrixLike, b: MatrixLike, options: TraceSqrtOptions = {}): Promise<TraceSqrtResult> {
  const { products = 'auto' } = options;
  const A = toMatrix64(a, 'a');
  const B = toMatrix64(b, 'b');
  const n = assertSquare('a', A);
  if (assertSquare('b', B) !== n)
    throw new InvalidArgumentError('b', `is ${B.rows}×${B.cols}, a is ${n}×${n}.`, 'Both covariances must have the feature dimension.');
  const useTf = products === 'tfjs' || (products === 'auto' && n > 512);
  const L = cholesky(A);
  let M: Matrix64;
  let route: TraceSqrtResult['route'];
  if (L) {
    route = 'cholesky';
    M = useTf ? await matmulViaTf(transpose64(L), await matmulViaTf(B, L)) : congruenceLower(L, B);
  } else {
    route = 'eigh';
    const { values, vectors } = eigh(A);
    const V = vectors as Matrix64; // rows = eigenvectors; S = Vᵀ diag(√λ) (columns scaled)
    const St = new Float64Array(n * n); // Sᵀ = diag(√λ) V
    for (let i = 0; i < n; i++) {
      const r = Math.sqrt(Math.max(values[i] as number, 0));
      for (let k = 0; k < n; k++) St[i * n + k] = r * (V.data[i * n + k] as number);
    }
    const S1t: Matrix64 = { rows: n, cols: n, data: St };
    M = useTf ? await matmulViaTf(await matmulViaTf(S1t, B), transpose64(S1t)) : matmul64(matmul64(S1t, B), transpose64(S1t));
  }
  // Symmetrise against rounding in the products.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * ((M.data[i * n + j] as number) + (M.data[j * n + i] as number));
      M.data[i * n + j] = v;
      M.data[j * n + i] = v;
    }
  }
  const { values } = eigh(M, { vectors: false });
  // Eigenvalues below n·ε·λ_max are round-off of exact zeros (singular covariances): count them as 0.
  const floor = n * 2.220446049250313e-16 * Math.max(Math.abs(values[n - 1] ?? 0), Math.abs(values[0] ?? 0));
  let trace = 0;
  for (const v of values) trace += v > floor ? Math.sqrt(v) : 0;
  return { trace, eigenvalues: values, route };
}
