/**
 * Control paths for neural CDEs: a `[batch, T, channels]` series observed at times `ts`, interpolated into a
 * path X(t) with `evaluate(t)` and `derivative(t)` (diffrax's `LinearInterpolation`/`CubicInterpolation`,
 * torchcde's `*_coeffs`).
 *
 * Every path here is piecewise cubic, `X(t) = a_i + b_i τ + c_i τ² + d_i τ³` with `τ = t − t_i` on
 * `[t_i, t_{i+1}]`, and every coefficient is a *linear* map of the data computed with tensor ops, so the path
 * is differentiable with respect to the data. Missing values (NaN) are filled before fitting, as torchcde
 * does: linearly between the observed neighbours of each channel, with the nearest observation before the
 * first and after the last one (zeros for a channel never observed). The fill is computed on the host: the
 * filled-in values are treated as data (gradients flow to the observed entries through the fitting, not
 * through the fill).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, assertFiniteNumber, tidyTree } from '@nde/core';

/** A continuous path X: [t0, t1] → R^{batch × channels}. */
export interface ControlPath {
  /** First time the path covers. */
  readonly t0: number;
  /** Last time the path covers. */
  readonly t1: number;
  /** The knots (observation times, or the rectilinear path's own parameter grid), increasing. */
  readonly knots: readonly number[];
  /** Leading (batch) size of X(t). */
  readonly batch: number;
  /** Channels of X(t), including any added time or count channels. */
  readonly channels: number;
  /**
   * Knots where dX/dt jumps (linear and rectilinear paths: every knot; C¹ cubics: none). Pass them as a
   * `clipSteps(controller, { jumpTs })` so adaptive steps stop on them.
   */
  readonly jumpTs: readonly number[];
  /** X(t), `[batch, channels]`; a new tensor owned by the caller. */
  evaluate(t: number): tf.Tensor2D;
  /** dX/dt(t), `[batch, channels]` (the right derivative at a knot, the left one at t1); owned by the caller. */
  derivative(t: number): tf.Tensor2D;
  /** Release the coefficient tensors. */
  dispose(): void;
}

/** Options every interpolation takes. */
export interface InterpolationOptions {
  /** Prepend time itself as channel 0 (torchcde and the neural CDE paper recommend it). Default false. */
  readonly timeChannel?: boolean;
  /**
   * Append, for every input channel, the cumulative number of observations so far (torchcde's recommended
   * observation-mask channels): it tells the model where data was missing. Default false.
   */
  readonly cumulativeCount?: boolean;
}

/** Which piecewise cubic: see the factory functions. */
type Kind = 'linear' | 'hermite' | 'natural';

function checkTimes(ts: readonly number[], T: number): void {
  if (ts.length !== T)
    throw new ShapeError('ts', `has ${ts.length} times for a series of length ${T}.`, 'Give one time per observation (axis 1 of values).');
  if (T < 2) throw new InvalidArgumentError('values', `needs at least two observation times (got ${T}).`);
  ts.forEach((t, i) => {
    assertFiniteNumber(`ts[${i}]`, t);
    if (i > 0 && !(t > (ts[i - 1] as number)))
      throw new InvalidArgumentError('ts', `must be strictly increasing (entry ${i - 1}: ${ts[i - 1]}, entry ${i}: ${t}).`);
  });
}

/** Fill NaNs per (batch, channel) as the module doc says; returns the filled values and the observation mask. */
function fillMissing(
  v: Float32Array,
  B: number,
  T: number,
  C: number,
  ts: readonly number[],
): { filled: Float32Array; observed: Uint8Array } {
  const filled = new Float32Array(v.length);
  const observed = new Uint8Array(v.length);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const at = (i: number): number => (b * T + i) * C + c;
      const idx: number[] = [];
      for (let i = 0; i < T; i++) if (!Number.isNaN(v[at(i)] as number)) idx.push(i);
      for (const i of idx) observed[at(i)] = 1;
      if (idx.length === 0) continue; // never observed: zeros
      let k = 0;
      for (let i = 0; i < T; i++) {
        while (k < idx.length - 1 && (idx[k + 1] as number) <= i) k++;
        const lo = idx[k] as number;
        if (i <= (idx[0] as number)) filled[at(i)] = v[at(idx[0] as number)] as number;
        else if (i >= (idx[idx.length - 1] as number)) filled[at(i)] = v[at(idx[idx.length - 1] as number)] as number;
        else if (i === lo) filled[at(i)] = v[at(i)] as number;
        else {
          const hi = idx[k + 1] as number;
          const w = ((ts[i] as number) - (ts[lo] as number)) / ((ts[hi] as number) - (ts[lo] as number));
          filled[at(i)] = (1 - w) * (v[at(lo)] as number) + w * (v[at(hi)] as number);
        }
      }
    }
  }
  return { filled, observed };
}

/** The natural-spline map M = K y (second derivatives at the knots from the values), float64 on the host. */
function naturalSplineMatrix(ts: readonly number[]): Float32Array {
  const T = ts.length;
  const h = Array.from({ length: T - 1 }, (_, i) => (ts[i + 1] as number) - (ts[i] as number));
  const K = new Float64Array(T * T);
  if (T === 2) return new Float32Array(T * T);
  // Interior equations i = 1..T-2: h_{i-1} M_{i-1} + 2(h_{i-1} + h_i) M_i + h_i M_{i+1} = 6 (s_i − s_{i-1}).
  const n = T - 2;
  // Right-hand side as a matrix R (n × T) acting on y.
  const R = new Float64Array(n * T);
  for (let r = 0; r < n; r++) {
    const i = r + 1;
    R[r * T + i - 1] = 6 / (h[i - 1] as number);
    R[r * T + i] = -6 / (h[i - 1] as number) - 6 / (h[i] as number);
    R[r * T + i + 1] = 6 / (h[i] as number);
  }
  // Thomas algorithm on the tridiagonal system, applied to every column of R at once.
  const diag = Array.from({ length: n }, (_, r) => 2 * ((h[r] as number) + (h[r + 1] as number)));
  const lower = Array.from({ length: n }, (_, r) => (r > 0 ? (h[r] as number) : 0));
  const upper = Array.from({ length: n }, (_, r) => (r < n - 1 ? (h[r + 1] as number) : 0));
  const cp = new Float64Array(n);
  const dp = new Float64Array(n * T);
  for (let r = 0; r < n; r++) {
    const m = (diag[r] as number) - (r > 0 ? (lower[r] as number) * (cp[r - 1] as number) : 0);
    cp[r] = (upper[r] as number) / m;
    for (let j = 0; j < T; j++)
      dp[r * T + j] = ((R[r * T + j] as number) - (r > 0 ? (lower[r] as number) * (dp[(r - 1) * T + j] as number) : 0)) / m;
  }
  for (let r = n - 1; r >= 0; r--) {
    for (let j = 0; j < T; j++) {
      const x = (dp[r * T + j] as number) - (r < n - 1 ? (cp[r] as number) * (K[(r + 2) * T + j] as number) : 0);
      K[(r + 1) * T + j] = x;
    }
  }
  return Float32Array.from(K);
}

/** The piecewise cubic path behind every interpolation here. */
class PiecewiseCubicPath implements ControlPath {
  readonly t0: number;
  readonly t1: number;
  readonly jumpTs: readonly number[];
  private readonly pieces: { a: tf.Tensor2D; b: tf.Tensor2D; c: tf.Tensor2D; d: tf.Tensor2D }[];

  constructor(
    readonly knots: readonly number[],
    readonly batch: number,
    readonly channels: number,
    /** Coefficients `[B, T − 1, C]` each (owned: split per interval, then disposed). */
    coeffs: { a: tf.Tensor3D; b: tf.Tensor3D; c: tf.Tensor3D; d: tf.Tensor3D },
    c1: boolean,
  ) {
    this.t0 = knots[0] as number;
    this.t1 = knots[knots.length - 1] as number;
    this.jumpTs = c1 ? [] : knots.slice(1, -1);
    const split = (x: tf.Tensor3D): tf.Tensor2D[] => tf.unstack(x, 1) as tf.Tensor2D[];
    const [a, b, c, d] = [split(coeffs.a), split(coeffs.b), split(coeffs.c), split(coeffs.d)];
    this.pieces = a.map((ai, i) => ({ a: ai, b: b[i] as tf.Tensor2D, c: c[i] as tf.Tensor2D, d: d[i] as tf.Tensor2D }));
    tf.dispose([coeffs.a, coeffs.b, coeffs.c, coeffs.d]);
  }

  /** The interval of t (the one starting at t for an interior knot) and τ = t − t_i. */
  private locate(t: number): { i: number; tau: number } {
    const k = this.knots;
    const eps = 1e-9 * Math.max(1, Math.abs(this.t0), Math.abs(this.t1));
    if (!(t >= this.t0 - eps && t <= this.t1 + eps)) {
      throw new InvalidArgumentError(
        't',
        `${t} is outside the path's interval [${this.t0}, ${this.t1}].`,
        'Solve the CDE over the observation times only.',
      );
    }
    let lo = 0;
    let hi = k.length - 2;
    while (lo < hi) {
      const m = (lo + hi + 1) >> 1;
      if ((k[m] as number) <= t) lo = m;
      else hi = m - 1;
    }
    return { i: lo, tau: t - (k[lo] as number) };
  }

  evaluate(t: number): tf.Tensor2D {
    const { i, tau } = this.locate(t);
    const p = this.pieces[i] as PiecewiseCubicPath['pieces'][number];
    return tf.tidy(() => tf.add(p.a, tf.mul(tf.add(p.b, tf.mul(tf.add(p.c, tf.mul(p.d, tau)), tau)), tau))) as tf.Tensor2D;
  }

  derivative(t: number): tf.Tensor2D {
    const { i, tau } = this.locate(t);
    const p = this.pieces[i] as PiecewiseCubicPath['pieces'][number];
    return tf.tidy(() => tf.add(p.b, tf.mul(tf.add(tf.mul(p.c, 2), tf.mul(p.d, 3 * tau)), tau))) as tf.Tensor2D;
  }

  dispose(): void {
    for (const p of this.pieces) tf.dispose([p.a, p.b, p.c, p.d]);
  }
}

/** The data as it enters a fit: NaNs filled, optional time and count channels. `[B, T, C']` */
function prepare(values: tf.Tensor, ts: readonly number[], o: InterpolationOptions): { y: tf.Tensor3D; B: number; T: number; C: number } {
  if (!(values instanceof tf.Tensor) || values.rank !== 3) {
    throw new ShapeError(
      'values',
      `must be a [batch, T, channels] tensor (got ${values instanceof tf.Tensor ? `shape [${values.shape}]` : typeof values}).`,
    );
  }
  const [B, T, C] = values.shape as [number, number, number];
  checkTimes(ts, T);
  const raw = values.dataSync() as Float32Array;
  const hasNaN = raw.some((x) => Number.isNaN(x));
  const y = tidyTree(() => {
    let data: tf.Tensor3D;
    let observed: Uint8Array | undefined;
    if (hasNaN) {
      const f = fillMissing(raw, B, T, C, ts);
      observed = f.observed;
      data = tf.tensor3d(f.filled, [B, T, C]);
    } else {
      // Kept on the tape: the path is differentiable with respect to `values`.
      data = values.clone() as tf.Tensor3D;
    }
    const parts: tf.Tensor3D[] = [];
    if (o.timeChannel)
      parts.push(
        tf.tensor3d(
          Float32Array.from({ length: B * T }, (_, k) => ts[k % T] as number),
          [B, T, 1],
        ),
      );
    parts.push(data);
    if (o.cumulativeCount) {
      const counts = new Float32Array(B * T * C);
      for (let b = 0; b < B; b++)
        for (let c = 0; c < C; c++) {
          let n = 0;
          for (let i = 0; i < T; i++) {
            const k = (b * T + i) * C + c;
            n += observed ? (observed[k] as number) : 1;
            counts[k] = n;
          }
        }
      parts.push(tf.tensor3d(counts, [B, T, C]));
    }
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 2)) as tf.Tensor3D;
  });
  return { y, B, T, C: y.shape[2] };
}

function fit(kind: Kind, values: tf.Tensor, ts: readonly number[], o: InterpolationOptions): PiecewiseCubicPath {
  const { y, B, T, C } = prepare(values, ts, o);
  try {
    const h = Array.from({ length: T - 1 }, (_, i) => (ts[i + 1] as number) - (ts[i] as number));
    const coeffs = tidyTree(() => {
      const hT = tf.tensor3d(h, [1, T - 1, 1]);
      const y0 = y.slice([0, 0, 0], [B, T - 1, C]);
      const y1 = y.slice([0, 1, 0], [B, T - 1, C]);
      const secant = tf.div(tf.sub(y1, y0), hT); // s_i on [t_i, t_{i+1}]
      if (kind === 'linear') {
        const zero = tf.zerosLike(y0);
        return { a: y0, b: secant, c: zero, d: tf.zerosLike(y0) };
      }
      if (kind === 'hermite') {
        // Backward differences: the derivative at t_i is the previous secant (the first secant at t_0);
        // the piece ends with its own secant, so X is C¹ and the piece on [t_i, t_{i+1}] uses no later data.
        const deriv0 = T > 2 ? tf.concat([secant.slice([0, 0, 0], [B, 1, C]), secant.slice([0, 0, 0], [B, T - 2, C])], 1) : secant;
        const dd = tf.sub(secant, deriv0);
        return { a: y0, b: deriv0, c: tf.div(tf.mul(dd, 2), hT), d: tf.neg(tf.div(dd, tf.square(hT))) };
      }
      // Natural cubic spline: M = K y (second derivatives), one matrix product over all series.
      const K = tf.tensor2d(naturalSplineMatrix(ts), [T, T]);
      const flat = tf.reshape(tf.transpose(y, [1, 0, 2]), [T, B * C]);
      const M = tf.transpose(tf.reshape(tf.matMul(K, flat), [T, B, C]), [1, 0, 2]);
      const M0 = M.slice([0, 0, 0], [B, T - 1, C]);
      const M1 = M.slice([0, 1, 0], [B, T - 1, C]);
      return {
        a: y0,
        b: tf.sub(secant, tf.div(tf.mul(hT, tf.add(tf.mul(M0, 2), M1)), 6)),
        c: tf.div(M0, 2),
        d: tf.div(tf.sub(M1, M0), tf.mul(hT, 6)),
      };
    }) as { a: tf.Tensor3D; b: tf.Tensor3D; c: tf.Tensor3D; d: tf.Tensor3D };
    return new PiecewiseCubicPath(ts, B, C, coeffs, kind !== 'linear');
  } finally {
    y.dispose();
  }
}

/**
 * Linear interpolation of a `[batch, T, channels]` series observed at `ts` (diffrax's `LinearInterpolation`).
 * dX/dt jumps at every knot: solve with `clipSteps(controller, { jumpTs: path.jumpTs })`.
 *
 * @param values - the series, `[batch, T, channels]`; NaN marks a missing value (not taken over).
 * @param ts - the observation times, strictly increasing, one per entry of axis 1.
 * @param options - `timeChannel`, `cumulativeCount`.
 * @returns the path; it owns its tensors (`dispose()` it).
 * @example
 * ```ts
 * const X = linearInterpolation(tf.tensor3d([[[0], [1], [0]]]), [0, 1, 2]);
 * X.evaluate(0.5).print(); // [[0.5]]
 * X.dispose();
 * ```
 */
export function linearInterpolation(values: tf.Tensor, ts: readonly number[], options: InterpolationOptions = {}): ControlPath {
  return fit('linear', values, ts, options);
}

/**
 * Cubic Hermite interpolation with backward differences (diffrax's `backward_hermite_coefficients`, Morrill et
 * al. 2021): C¹, and the piece on `[t_i, t_{i+1}]` depends only on observations up to `t_{i+1}`, so the path
 * can be built online. diffrax's default for neural CDEs.
 *
 * @param values - the series, `[batch, T, channels]`; NaN marks a missing value (not taken over).
 * @param ts - the observation times, strictly increasing.
 * @param options - `timeChannel`, `cumulativeCount`.
 * @returns the path; it owns its tensors (`dispose()` it).
 * @example
 * ```ts
 * const X = hermiteCubicInterpolation(values, ts, { timeChannel: true });
 * ```
 */
export function hermiteCubicInterpolation(values: tf.Tensor, ts: readonly number[], options: InterpolationOptions = {}): ControlPath {
  return fit('hermite', values, ts, options);
}

/**
 * Natural cubic spline (torchcde's `natural_cubic_coeffs`): C², second derivative zero at both ends. Not
 * causal (each piece depends on all the data).
 *
 * @param values - the series, `[batch, T, channels]`; NaN marks a missing value (not taken over).
 * @param ts - the observation times, strictly increasing.
 * @param options - `timeChannel`, `cumulativeCount`.
 * @returns the path; it owns its tensors (`dispose()` it).
 * @example
 * ```ts
 * const X = naturalCubicSpline(values, ts);
 * const dX = X.derivative(0.3); // [batch, channels]
 * ```
 */
export function naturalCubicSpline(values: tf.Tensor, ts: readonly number[], options: InterpolationOptions = {}): ControlPath {
  return fit('natural', values, ts, options);
}

/**
 * Rectilinear interpolation (torchcde's `rectilinear_interpolation_coeffs`, for causal online use): between two
 * observations the path first moves in time with the features held, then moves the features with time held, so
 * X(s) never looks ahead. Time is always channel 0. The path is parametrised by its own `s ∈ [0, 2(T − 1)]`
 * (knot `2i` is observation `i`): solve over `[path.t0, path.t1]` of the path, not over `ts`.
 *
 * @param values - the series, `[batch, T, channels]`; NaN marks a missing value (not taken over).
 * @param ts - the observation times, strictly increasing.
 * @param options - `cumulativeCount` (`timeChannel` is implied).
 * @returns the path over `s`; it owns its tensors (`dispose()` it).
 * @example
 * ```ts
 * const X = rectilinearInterpolation(values, ts); // X.t1 === 2 * (ts.length - 1)
 * ```
 */
export function rectilinearInterpolation(values: tf.Tensor, ts: readonly number[], options: InterpolationOptions = {}): ControlPath {
  const { y, B, T, C } = prepare(values, ts, { ...options, timeChannel: true });
  try {
    // Points P_{2i} = (t_i, x_i), P_{2i+1} = (t_{i+1}, x_i): time leads, features follow.
    const zigzag = tidyTree(() => {
      const time = y.slice([0, 0, 0], [B, T, 1]);
      const feats = y.slice([0, 0, 1], [B, T, C - 1]);
      const rows: tf.Tensor[] = [];
      for (let i = 0; i < T; i++) {
        rows.push(tf.concat([time.slice([0, i, 0], [B, 1, 1]), feats.slice([0, i, 0], [B, 1, C - 1])], 2));
        if (i < T - 1) rows.push(tf.concat([time.slice([0, i + 1, 0], [B, 1, 1]), feats.slice([0, i, 0], [B, 1, C - 1])], 2));
      }
      return tf.concat(rows, 1) as tf.Tensor3D;
    });
    const s = Array.from({ length: 2 * T - 1 }, (_, i) => i);
    try {
      return fit('linear', zigzag, s, {});
    } finally {
      zigzag.dispose();
    }
  } finally {
    y.dispose();
  }
}
