/**
 * Hairer's initial step selection (Hairer, Nørsett & Wanner, Solving ODEs I, II.4), in the form
 * torchdiffeq uses, so NFE counts are comparable. Costs two vector-field evaluations; the first,
 * f(t0, y0), is handed to the solver as its first stage. Adaptive controllers call it from their
 * `initialStep`.
 */
import * as tf from '@tensorflow/tfjs';
import { treeAxpy, treeDispose, treeSub, untaped, type Tree } from '@nde/core';
import type { InitialStep, InitialStepProblem, Reads } from './controllers/controller.js';
import { errorRatio, type Tolerance } from './error-norm.js';

/** RMS of x / (atol + rtol |y0|): the step-size error norm with y0 on both sides. */
function scaledRms(x: Tree, y0: Tree, rtol: Tolerance, atol: Tolerance): tf.Scalar {
  return errorRatio(x, y0, y0, rtol, atol, 'rms');
}

/**
 * Choose |dt0| by Hairer's rule and return it signed, with f(t0, y0) for the solver's first stage.
 *
 * @param problem - the start of the problem and the vector field there
 * @param rtol - relative tolerance the first step is scaled by
 * @param atol - absolute tolerance the first step is scaled by
 * @example
 * ```ts
 * class MyController implements AdaptiveStepSizeController { … initialStep(p) { return hairerInitialStep(p, this.rtol, this.atol); } }
 * ```
 */
export function* hairerInitialStep(problem: InitialStepProblem, rtol: Tolerance, atol: Tolerance): Reads<InitialStep> {
  const { t0, y0, direction } = problem;
  const f0 = problem.evaluate(t0, y0);
  // f0 is handed to the caller; on an error (a vector field that throws or returns the wrong shape at
  // the second evaluation) or an abandoned loop it is released here.
  let handedOver = false;
  try {
    const d01 = untaped(() => tf.tidy(() => tf.stack([scaledRms(y0, y0, rtol, atol), scaledRms(f0, y0, rtol, atol)])));
    const [d0, d1] = Array.from(yield d01) as [number, number];
    const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
    const y1 = treeAxpy(h0 * direction, f0, y0);
    let d2t: tf.Tensor;
    try {
      const f1 = problem.evaluate(t0 + h0 * direction, y1);
      const diff = untaped(() => treeSub(f1, f0));
      d2t = scaledRms(diff, y0, rtol, atol);
      treeDispose(f1, diff);
    } finally {
      treeDispose(y1);
    }
    const d2 = ((yield d2t)[0] as number) / h0;
    const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / (problem.order + 1));
    handedOver = true;
    return { dt0: Math.min(100 * h0, h1) * direction, f0 };
  } finally {
    if (!handedOver) treeDispose(f0);
  }
}
