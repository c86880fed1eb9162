/**
 * Lanes: the unit the device-resident loop steps. With one time for the whole state there is one
 * lane (per-lane vectors have shape `[1]`); with per-sample step sizes each sample (leading axis of
 * every leaf) is a lane of its own. Per-lane vectors broadcast against the state through
 * {@link laneView}; the error norm reduces each lane to one number ({@link laneNorm}).
 */
import * as tf from '@tensorflow/tfjs';
import { addMany, fusedScaledNorm } from '@nde/core';
import type { ErrorNorm, Tolerance } from '../error-norm.js';
import { leafTol } from '../leaf-tol.js';

/** How the state splits into lanes. */
export interface LaneLayout {
  /** Number of lanes (1, or the batch size). */
  readonly lanes: number;
  /** Each sample its own lane. */
  readonly perSample: boolean;
}

/** A per-lane vector `[lanes]` shaped to broadcast against a leaf: `[]` for one lane, `[B, 1, …]` per sample. */
export function laneView(v: tf.Tensor, leaf: tf.Tensor, layout: LaneLayout): tf.Tensor {
  if (!layout.perSample) return v.reshape([]);
  return v.reshape([layout.lanes, ...new Array<number>(Math.max(leaf.rank - 1, 0)).fill(1)]);
}

/** Time as the vector field sees it: shape `[]` with one lane, `[batch]` per sample. */
export function fieldTime(v: tf.Tensor, layout: LaneLayout): tf.Tensor {
  return layout.perSample ? v : v.reshape([]);
}

/** Each leaf as `[lanes, elements]` (one lane: `[1, size]`). */
function byLane(x: tf.Tensor, layout: LaneLayout): tf.Tensor2D {
  return (layout.perSample ? x.reshape([layout.lanes, -1]) : x.reshape([1, -1])) as tf.Tensor2D;
}

/**
 * The scaled error norm of each lane, `[lanes]`: ‖e / (atol + rtol · max(|y0|, |y1|))‖, the same
 * number `errorRatio` gives a solve of that lane alone. With one lane, `'rms-per-sample'` keeps its
 * meaning (RMS per sample of the leading axis, max over samples).
 */
export function laneNorm(
  e: readonly tf.Tensor[],
  y0: readonly tf.Tensor[],
  y1: readonly tf.Tensor[],
  rtol: Tolerance,
  atol: Tolerance,
  norm: ErrorNorm,
  layout: LaneLayout,
): tf.Tensor1D {
  // One lane, one leaf, scalar tolerances: the host loop's fused kernel (cpu and wasm).
  if (!layout.perSample && e.length === 1 && norm !== 'rms-per-sample' && typeof rtol === 'number' && typeof atol === 'number') {
    const fused = fusedScaledNorm(e[0] as tf.Tensor, y0[0] as tf.Tensor, y1[0] as tf.Tensor, rtol, atol, norm);
    if (fused) return fused.reshape([1]);
  }
  const scaled = e.map((ei, i) => {
    const size = tf.maximum(tf.abs(y0[i] as tf.Tensor), tf.abs(y1[i] as tf.Tensor));
    return tf.div(ei, tf.add(leafTol(atol, i), tf.mul(size, leafTol(rtol, i))));
  });
  if (norm === 'max') {
    const maxes = scaled.map((s) => tf.max(tf.abs(byLane(s, layout)), 1));
    return (maxes.length === 1 ? maxes[0] : tf.max(tf.stack(maxes), 0)) as tf.Tensor1D;
  }
  if (norm === 'rms-per-sample' && !layout.perSample) {
    // Per sample of the leading axis, then the worst sample: one number for the one lane.
    const rows = scaled.map((s) => (s.rank <= 1 ? tf.square(s).reshape([-1, 1]) : tf.square(s).reshape([s.shape[0] as number, -1])));
    const count = rows.reduce((n, s) => n + (s.shape[1] as number), 0);
    const sums = rows.map((s) => tf.sum(s, 1));
    const total = addMany(sums);
    return tf.sqrt(tf.max(tf.div(total, count))).reshape([1]) as tf.Tensor1D;
  }
  const sums = scaled.map((s) => tf.sum(tf.square(byLane(s, layout)), 1));
  const count = scaled.reduce((n, s) => n + s.size, 0) / layout.lanes;
  return tf.sqrt(tf.div(addMany(sums), count)) as tf.Tensor1D;
}
