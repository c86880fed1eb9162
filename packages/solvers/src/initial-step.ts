/**
 * Hairer's initial step selection (Hairer, Nørsett & Wanner, Solving ODEs I, II.4), in the form
 * torchdiffeq uses, so NFE counts are comparable. Costs two vector-field evaluations; the first,
 * f(t0, y0), is handed to the solver as its first stage.
 */
import * as tf from '@tensorflow/tfjs';
import { tidyTree, treeAxpy, treeDispose, treeLeaves, treeSub, untaped, type Tree } from '@nde/core';
import type { PIDController } from './controllers/pid.js';
import type { Tolerance } from './error-norm.js';
import type { Solver } from './solver.js';
import type { SolveStats } from './solve.js';

function leafTol(tol: Tolerance, i: number): number | tf.Tensor {
  if (typeof tol === 'number') return tol;
  const leaves = treeLeaves(tol);
  return (leaves.length === 1 ? leaves[0] : leaves[i]) as tf.Tensor;
}

/** RMS of x / (atol + rtol |y0|) over all leaves, as a scalar tensor (off the gradient tape: only read). */
function scaledRms(x: Tree, y0: Tree, rtol: Tolerance, atol: Tolerance): tf.Scalar {
  return untaped(() =>
    tf.tidy(() => {
      const xs = treeLeaves(x);
      const ys = treeLeaves(y0);
      let n = 0;
      const sq = xs.map((xi, i) => {
        n += xi.size;
        const scale = tf.add(leafTol(atol, i), tf.mul(tf.abs(ys[i] as tf.Tensor), leafTol(rtol, i)));
        return tf.sum(tf.square(tf.div(xi, scale)));
      });
      return tf.sqrt(tf.div(sq.length === 1 ? (sq[0] as tf.Tensor) : tf.addN(sq), n)) as tf.Scalar;
    }),
  );
}

/** Choose |dt0| and return it signed, with f(t0, y0) for reuse. @internal */
export function* initialStepSize(
  solver: Solver,
  terms: unknown,
  t0: number,
  y0: Tree,
  args: unknown,
  direction: 1 | -1,
  pid: PIDController,
  stats: SolveStats,
): Generator<tf.Tensor, { dt0: number; f0: Tree }, ArrayLike<number>> {
  const evalF = solver.evalDerivative as NonNullable<Solver['evalDerivative']>;
  const f0 = tidyTree(() => evalF(terms as never, t0, y0, args));
  stats.nfe++;
  // f0 is handed to the caller; on an error (a vector field that throws or returns the wrong shape at
  // the second evaluation) or an abandoned loop it is released here.
  let handedOver = false;
  try {
    const d01 = untaped(() => tf.tidy(() => tf.stack([scaledRms(y0, y0, pid.rtol, pid.atol), scaledRms(f0, y0, pid.rtol, pid.atol)])));
    const [d0, d1] = Array.from(yield d01) as [number, number];
    const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
    const y1 = treeAxpy(h0 * direction, f0, y0);
    let d2t: tf.Tensor;
    try {
      const f1 = tidyTree(() => evalF(terms as never, t0 + h0 * direction, y1, args));
      stats.nfe++;
      const diff = untaped(() => treeSub(f1, f0));
      d2t = scaledRms(diff, y0, pid.rtol, pid.atol);
      treeDispose(f1, diff);
    } finally {
      treeDispose(y1);
    }
    const d2 = ((yield d2t)[0] as number) / h0;
    const order = solver.errorOrder ?? solver.order;
    const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / (order + 1));
    handedOver = true;
    return { dt0: Math.min(100 * h0, h1) * direction, f0 };
  } finally {
    if (!handedOver) treeDispose(f0);
  }
}
