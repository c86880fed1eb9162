/**
 * Host-side (float64) Brownian-bridge and Lévy-area formulas shared by every Brownian object.
 *
 * Notation: an interval of length `h` has increment `W` and space-time Lévy area `H`
 * (`H = (1/h) ∫ (W_{s,r} - (r-s)/h · W) dr`, variance `h/12`, independent of `W`). Splitting it at
 * offset `a` (`b = h - a`, `x = a/h`) gives left/right pieces that satisfy
 * `W = W_l + W_r` and `h·H = a·H_l + b·H_r + (b·W_l - a·W_r)/2`.
 * Sampling the pieces given `(W, H)` (Gaussian conditioning, derived in the package README):
 * ```
 * W_l = x·W + 6x(1-x)·H + sqrt(h·x(1-x)·(1 - 3x(1-x)))·z1,   W_r = W - W_l
 * Y   = h·H - (b·W_l - a·W_r)/2
 * H_l = a²·Y/(a³+b³) + sqrt(a·b³/(12(a³+b³)))·z2
 * H_r = b²·Y/(a³+b³) - sqrt(a³·b/(12(a³+b³)))·z2
 * ```
 * At the midpoint this is diffrax's Brownian-arch formula; without Lévy area it is the Brownian bridge
 * `W_l = x·W + sqrt(h·x(1-x))·z1`.
 *
 * @example
 * ```ts
 * // internal: splitIncrement(n, a, b, W, H, z, Wl, Hl, Wr, Hr)
 * ```
 * @internal
 */
import type { SpaceSpaceApproximation } from './types.js';

/**
 * Split `(W, H)` of an interval `[s, s+a+b]` at `s+a` given standard normals `z` (`z[0..n)` for W,
 * `z[n..2n)` for H). `H`, `Hl`, `Hr` are null when no Lévy area is tracked. `Wr`/`Hr` may be null.
 * @internal
 */
export function splitIncrement(
  n: number,
  a: number,
  b: number,
  W: Float64Array,
  H: Float64Array | null,
  z: Float64Array,
  Wl: Float64Array,
  Hl: Float64Array | null,
  Wr: Float64Array | null,
  Hr: Float64Array | null,
): void {
  const h = a + b;
  const x = a / h;
  const xx = x * (1 - x);
  if (H === null || Hl === null) {
    const sd = Math.sqrt(h * xx);
    for (let i = 0; i < n; i++) {
      const w = x * (W[i] as number) + sd * (z[i] as number);
      Wl[i] = w;
      if (Wr) Wr[i] = (W[i] as number) - w;
    }
    return;
  }
  const cH = 6 * xx;
  const sdW = Math.sqrt(h * xx * (1 - 3 * xx));
  const a3b3 = a * a * a + b * b * b;
  const cl = (a * a) / a3b3;
  const cr = (b * b) / a3b3;
  const sl = Math.sqrt((a * b * b * b) / (12 * a3b3));
  const sr = Math.sqrt((a * a * a * b) / (12 * a3b3));
  const halfA = 0.5 * a;
  const halfB = 0.5 * b;
  for (let i = 0; i < n; i++) {
    const Wi = W[i] as number;
    const Hi = H[i] as number;
    const wl = x * Wi + cH * Hi + sdW * (z[i] as number);
    const wr = Wi - wl;
    const y = h * Hi - (halfB * wl - halfA * wr);
    const z2 = z[n + i] as number;
    Wl[i] = wl;
    Hl[i] = cl * y + sl * z2;
    if (Wr) Wr[i] = wr;
    if (Hr) Hr[i] = cr * y - sr * z2;
  }
}

/**
 * Concatenate `[s, s+a]` (W1, H1) and `[s+a, s+a+b]` (W2, H2) in place into (W1, H1).
 * @internal
 */
export function combineInto(n: number, a: number, W1: Float64Array, H1: Float64Array, b: number, W2: Float64Array, H2: Float64Array): void {
  const h = a + b;
  for (let i = 0; i < n; i++) {
    const w1 = W1[i] as number;
    const w2 = W2[i] as number;
    H1[i] = (a * (H1[i] as number) + b * (H2[i] as number) + 0.5 * (b * w1 - a * w2)) / h;
    W1[i] = w1 + w2;
  }
}

/**
 * Space-space Lévy area `A[..., i, j]` (last axis of size `m`, `batch = n/m` rows) from `W`, `H` over an
 * interval of length `h`, with `z` holding `batch·m(m-1)/2` standard normals. See {@link SpaceSpaceApproximation}.
 * @internal
 */
export function spaceSpaceArea(
  n: number,
  m: number,
  h: number,
  W: Float64Array,
  H: Float64Array,
  z: Float64Array,
  method: SpaceSpaceApproximation,
): Float32Array {
  const batch = n / m;
  const A = new Float32Array(batch * m * m);
  const davieSd = Math.sqrt((h * h) / 12);
  let k = 0;
  for (let r = 0; r < batch; r++) {
    const o = r * m;
    const oa = r * m * m;
    for (let i = 0; i < m; i++) {
      const Wi = W[o + i] as number;
      const Hi = H[o + i] as number;
      for (let j = i + 1; j < m; j++) {
        const Wj = W[o + j] as number;
        const Hj = H[o + j] as number;
        const sd = method === 'davie' ? davieSd : Math.sqrt(0.05 * h * h + 0.2 * h * (Hi * Hi + Hj * Hj));
        const aij = Hi * Wj - Wi * Hj + sd * (z[k++] as number);
        A[oa + i * m + j] = aij;
        A[oa + j * m + i] = -aij;
      }
    }
  }
  return A;
}
