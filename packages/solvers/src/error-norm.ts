/**
 * Scaled error norms for step-size control.
 *
 * The error ratio is `‖e / (atol + rtol · max(|y0|, |y1|))‖`; a step is accepted when it is ≤ 1.
 * `rms` mixes every element of every leaf (and so the whole batch) into one number, as torchdiffeq
 * does: a hard sample can then be under-resolved if the others are easy. `rms-per-sample` takes the
 * RMS over the non-batch axes of each sample (leading axis) and then the max over the batch, so
 * every sample meets the tolerance. `max` is the infinity norm.
 */
import * as tf from '@tensorflow/tfjs';
import { addMany, fusedScaledNorm, treeLeaves, untaped, type Tree } from '@nde/core';
import { leafTol } from './leaf-tol.js';

/** Which norm reduces the scaled error to one scalar. */
export type ErrorNorm = 'rms' | 'rms-per-sample' | 'max';

/** A tolerance: one number, or a tree (or tensor broadcastable per leaf) for per-component tolerances. */
export type Tolerance = number | Tree;

/**
 * Scaled error ratio as a scalar tensor (caller owns it). Computed off the gradient tape: it only
 * steers the step size, and recorded it would keep input clones for every op of every step.
 *
 * @internal
 */
export function errorRatio(yError: Tree, y0: Tree, y1: Tree, rtol: Tolerance, atol: Tolerance, norm: ErrorNorm): tf.Scalar {
  return untaped(() =>
    tf.tidy(() => {
      const e = treeLeaves(yError);
      // One leaf with scalar tolerances (the common case): one fused kernel on cpu and wasm.
      if (e.length === 1 && norm !== 'rms-per-sample' && typeof rtol === 'number' && typeof atol === 'number') {
        const fused = fusedScaledNorm(e[0] as tf.Tensor, treeLeaves(y0)[0] as tf.Tensor, treeLeaves(y1)[0] as tf.Tensor, rtol, atol, norm);
        if (fused) return fused;
      }
      const a = treeLeaves(y0);
      const b = treeLeaves(y1);
      const scaled = e.map((ei, i) => {
        const scale = tf.add(leafTol(atol, i), tf.mul(tf.maximum(tf.abs(a[i] as tf.Tensor), tf.abs(b[i] as tf.Tensor)), leafTol(rtol, i)));
        return tf.div(ei, scale);
      });
      if (norm === 'max') {
        return tf.max(tf.stack(scaled.map((s) => tf.max(tf.abs(s))))) as tf.Scalar;
      }
      if (norm === 'rms-per-sample') {
        // Sum of squares per sample over every leaf, then max over samples.
        const perSample = scaled.map((s) =>
          s.rank <= 1 ? tf.square(s).reshape([-1, 1]) : tf.square(s).reshape([s.shape[0] as number, -1]),
        );
        const count = perSample.reduce((n, s) => n + (s.shape[1] as number), 0);
        const sums = perSample.map((s) => tf.sum(s, 1));
        const total = addMany(sums);
        return tf.sqrt(tf.max(tf.div(total, count))) as tf.Scalar;
      }
      const count = scaled.reduce((n, s) => n + s.size, 0);
      const sq = scaled.map((s) => tf.sum(tf.square(s)));
      return tf.sqrt(tf.div(addMany(sq), count)) as tf.Scalar;
    }),
  );
}
