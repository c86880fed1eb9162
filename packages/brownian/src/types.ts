/**
 * The interface every Brownian motion implements, and the options they share.
 *
 * @example
 * ```ts
 * import type { BrownianMotion } from '@nde/brownian';
 * function eulerMaruyamaStep(bm: BrownianMotion, t: number, dt: number) {
 *   const dW = bm.evaluate(t, t + dt); // caller owns dW
 *   // ... y + f dt + g dW ...
 *   dW.dispose();
 * }
 * ```
 */
import type * as tf from '@tensorflow/tfjs';
import type { Key } from './prng.js';

/**
 * How much Lévy area a Brownian object can return:
 * - `none`: increments only;
 * - `space-time`: also `H`, the space-time Lévy area `H_{s,u} = (1/h) ∫_s^u (W_{s,r} - (r-s)/h · W_{s,u}) dr`
 *   (h = u - s; `H ~ N(0, h/12)`, independent of `W_{s,u}`);
 * - `space-space`: also `A`, the antisymmetric Lévy area `A_ij = ½ ∫_s^u (W_{s,r}^i dW_r^j - W_{s,r}^j dW_r^i)`
 *   over the last axis (approximated from W and H, see {@link SpaceSpaceApproximation}).
 */
export type LevyAreaKind = 'none' | 'space-time' | 'space-space';

/**
 * How `A` (space-space Lévy area) is approximated from `W` and `H`:
 * - `foster`: `A_ij ≈ H_i W_j - W_i H_j + λ_ij`, `λ_ij ~ N(0, h²/20 + (h/5)(H_i² + H_j²))` (Foster 2020, the
 *   variance of A given W and H matched on average); the default;
 * - `davie`: the same mean with `λ_ij ~ N(0, h²/12)` (Davie 2014).
 * Both have the exact mean `E[A | W, H]` and the exact variance `Var(A_ij) = h²/4`; neither is additive
 * over adjacent intervals (no approximation of Lévy area can be both cheap and exact).
 */
export type SpaceSpaceApproximation = 'foster' | 'davie';

/** Increment plus Lévy areas over `[s, u]`. Every tensor is new and owned by the caller. */
export interface BrownianIncrement {
  /** `W(u) - W(s)`, shape `shape`. */
  W: tf.Tensor;
  /** Space-time Lévy area, same shape as `W`. */
  H?: tf.Tensor;
  /** Space-space Lévy area, shape `[...shape, m]` where `m` is the last dimension of `shape`. */
  A?: tf.Tensor;
}

/** The same as {@link BrownianIncrement}, as host arrays (row-major, float32). */
export interface BrownianIncrementArrays {
  /** `W(u) - W(s)`, `prod(shape)` elements. */
  W: Float32Array;
  /** Space-time Lévy area, same length as `W`; present when requested. */
  H?: Float32Array;
  /**
   * Space-space Lévy area, `prod(shape) · m` elements (`[...shape, m]`, `m` the last dimension of `shape`); present
   * when requested.
   */
  A?: Float32Array;
}

/**
 * A Brownian motion on `[t0, t1]` with values of shape `shape`.
 *
 * Implementations hold no tfjs tensors (their state lives in host typed arrays), so
 * `tf.memory().numTensors` never changes because of one; every tensor they return belongs to the caller.
 * Queries outside `[t0, t1]` or NaN times throw `InvalidArgumentError` naming the argument.
 */
export interface BrownianMotion {
  /** Start of the time interval; queries must lie in `[t0, t1]`. */
  readonly t0: number;
  /** End of the time interval (> `t0`). */
  readonly t1: number;
  /** Shape of `W(t)`, e.g. `[batch, m]`. */
  readonly shape: readonly number[];
  /** The most this object can return. */
  readonly levyArea: LevyAreaKind;
  /** W(u) - W(s) for ANY order of s, u in [t0, t1] (u < s gives the negated increment). New tensor owned by the caller. */
  evaluate(s: number, u: number): tf.Tensor;
  /** Increment plus Levy area(s) over [s, u] (s < u). New tensors owned by the caller. */
  evaluateLevy(s: number, u: number, kind: Exclude<LevyAreaKind, 'none'>): BrownianIncrement;
  /** Same as evaluate but a host array (no tensor) — for benchmarks and host-side solvers. */
  evaluateArray(s: number, u: number): Float32Array;
}

/** Options every Brownian object takes. */
export interface BrownianOptions {
  /** Start of the time interval. */
  t0: number;
  /** End of the time interval (> t0). */
  t1: number;
  /** Shape of `W(t)`: positive integers, e.g. `[batch, m]` (`[]` for a scalar motion). */
  shape: readonly number[];
  /** A {@link Key} or an integer seed (`key(seed)`). */
  key: Key | number;
  /** The most Lévy area to support (default `none`). Objects with Lévy area sample `W` differently. */
  levyArea?: LevyAreaKind;
  /** Approximation of space-space Lévy area (default `foster`). */
  spaceSpace?: SpaceSpaceApproximation;
}
