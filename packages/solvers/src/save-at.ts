/** What a solve stores. */
import { InvalidArgumentError } from '@nde/core';

/**
 * Where to save the solution. Default: `{ t1: true }`.
 *
 * @example
 * ```ts
 * saveAt: { ts: [0, 0.5, 1] }          // interpolated from each step's dense output
 * saveAt: { t0: true, steps: true }    // every accepted step
 * saveAt: { t1: true, dense: true }    // final state plus y(t) anywhere via sol.dense
 * ```
 */
export interface SaveAt {
  /** Save the initial state. */
  readonly t0?: boolean;
  /** Save the final state. */
  readonly t1?: boolean;
  /** Save at these times (monotone in the direction of integration, inside [t0, t1]). */
  readonly ts?: readonly number[];
  /** Save after every accepted step. */
  readonly steps?: boolean;
  /** Keep every step's interpolant for `sol.dense.evaluate(t)`. */
  readonly dense?: boolean;
}

/** Validate `saveAt.ts` against the interval and direction. @internal */
export function validateSaveAt(saveAt: SaveAt, t0: number, t1: number, direction: 1 | -1): void {
  const ts = saveAt.ts;
  if (!ts) return;
  const lo = Math.min(t0, t1);
  const hi = Math.max(t0, t1);
  ts.forEach((t, i) => {
    if (!Number.isFinite(t)) throw new InvalidArgumentError('saveAt.ts', `entry ${i} is not a finite number (${t}).`);
    if (t < lo || t > hi) {
      throw new InvalidArgumentError(
        'saveAt.ts',
        `entry ${i} (${t}) is outside [${lo}, ${hi}].`,
        'Only times inside the integration interval can be saved.',
      );
    }
    if (i > 0 && (t - (ts[i - 1] as number)) * direction < 0) {
      throw new InvalidArgumentError(
        'saveAt.ts',
        `is not monotone ${direction > 0 ? 'increasing' : 'decreasing'} (entry ${i}: ${ts[i - 1]} then ${t}).`,
        direction > 0 ? 'Sort the times ascending.' : 'For a backward solve (t1 < t0), give the times in decreasing order.',
      );
    }
  });
}
