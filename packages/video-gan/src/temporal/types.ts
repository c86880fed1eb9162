/** The interface every temporal generator implements, and the time-grid helpers they share. */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, type Module, assertPositiveInteger } from '@nde/core';
import type { Key } from '@nde/brownian';

/** Options of {@link TemporalGenerator.generate}. */
export interface GenerateOptions {
  /**
   * Times (≥ 0, strictly increasing) at which to emit per-frame latents; the input latent is the state at
   * t = 0. Default: the training grid `linspace(0, 1, numFrames)`. The ODE and SDE generators accept any
   * grid (non-uniform, longer than trained on); the 1-D convolution stack only its own grid.
   */
  ts?: readonly number[];
  /** Noise key (SDE only; default: the generator's own stream, advanced every call). */
  key?: Key | number;
}

/**
 * Turns one latent `z0: [batch, latentDim]` into per-frame latents `[batch, T, frameLatentDim]`.
 * Implemented by {@link Conv1dTemporalGenerator} (TGAN), {@link OdeTemporalGenerator} and
 * {@link SdeTemporalGenerator}.
 *
 * @example
 * ```ts
 * const tg: TemporalGenerator = new OdeTemporalGenerator({ dim: 100, numFrames: 16, seed: 0 });
 * const zs = tg.generate(tf.randomNormal([4, 100]) as tf.Tensor2D); // [4, 16, 100]
 * ```
 */
export interface TemporalGenerator extends Module {
  /** `'conv1d' | 'ode' | 'sde'`. */
  readonly kind: 'conv1d' | 'ode' | 'sde';
  /** Width of the input latent. */
  readonly latentDim: number;
  /** Width of each per-frame latent. */
  readonly frameLatentDim: number;
  /** Frames of the training grid. */
  readonly numFrames: number;
  /** Per-frame latents; a new tensor owned by the caller. */
  generate(z0: tf.Tensor2D, options?: GenerateOptions): tf.Tensor3D;
  /** The exact number of trainable scalars, from the architecture formula (equals the variables' total size). */
  parameterCountFormula(): number;
}

/**
 * `n` evenly spaced times from `a` to `b` inclusive.
 *
 * @param a - First time.
 * @param b - Last time (returned exactly, without rounding error).
 * @param n - Number of times, a positive integer (1 gives `[a]`).
 * @throws `InvalidArgumentError` when `n` is not a positive integer.
 * @example
 * ```ts
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(a: number, b: number, n: number): number[] {
  assertPositiveInteger('n', n);
  if (n === 1) return [a];
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + ((b - a) * i) / (n - 1)));
}

/**
 * Check a user time grid: finite, ≥ 0, strictly increasing, at least one time.
 *
 * @param ts - Frame times to check.
 * @throws `InvalidArgumentError` naming the first offending time.
 */
export function checkTimes(ts: readonly number[]): void {
  if (!Array.isArray(ts) || ts.length === 0)
    throw new InvalidArgumentError('ts', 'needs at least one time.', 'Pass e.g. linspace(0, 1, 16).');
  ts.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
      throw new InvalidArgumentError('ts', `time ${i} is ${String(t)}; times must be finite and ≥ 0 (z0 is the state at t = 0).`);
    if (i > 0 && t <= (ts[i - 1] as number))
      throw new InvalidArgumentError('ts', `must be strictly increasing (ts[${i - 1}] = ${ts[i - 1]}, ts[${i}] = ${t}).`);
  });
}

/**
 * The solve grid: `ts` with 0 prepended when it does not start at 0, and how many leading outputs to drop.
 *
 * @param ts - Frame times (checked with {@link checkTimes}).
 * @returns `grid` (a new array starting at 0) and `drop` (0 or 1, the solver outputs before the first frame).
 */
export function solveGrid(ts: readonly number[]): { grid: number[]; drop: number } {
  checkTimes(ts);
  return ts[0] === 0 ? { grid: [...ts], drop: 0 } : { grid: [0, ...ts], drop: 1 };
}
