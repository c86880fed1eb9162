/** Terminal events: a function of (t, y) whose sign change stops the solve. */
import type * as tf from '@tensorflow/tfjs';
import type { Tree } from '@nde/core';

/**
 * An event. The solve stops at the first time the function changes sign (in `direction`);
 * the time is located by root-finding on the step's dense output to within `tol`.
 *
 * @example
 * ```ts
 * // stop when a falling ball hits the ground (height is component 0)
 * event: { fn: (t, y) => (y as tf.Tensor).slice([0], [1]).sum(), direction: -1 }
 * ```
 */
export interface Event<Y extends Tree = Tree, A = unknown> {
  /** A scalar function: a number or a tensor with one element. */
  readonly fn: (t: number, y: Y, args: A) => number | tf.Tensor;
  /** +1: only upward crossings (− to +), −1: only downward, 0 (default): both. */
  readonly direction?: 1 | -1 | 0;
  /** Time tolerance of the root (default 1e-10 · max(1, |t|)). */
  readonly tol?: number;
}

/** Which event fired and when. */
export interface EventOccurrence {
  /** Index into the `event` array (0 for a single event). */
  readonly index: number;
  /** Located event time. */
  readonly t: number;
}

/** True when g went from g0 to g1 across 0 in the allowed direction. */
export function crossed(g0: number, g1: number, direction: 1 | -1 | 0): boolean {
  if (!(Number.isFinite(g0) && Number.isFinite(g1))) return false;
  const up = g0 < 0 && g1 >= 0;
  const down = g0 > 0 && g1 <= 0;
  return direction === 1 ? up : direction === -1 ? down : up || down;
}
