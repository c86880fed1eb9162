/** What the adjoints need to know about the terms of a solve (ODE or SDE), without depending on their classes' internals. */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError, argTensors, treeLeaves, treeMap, untaped, withArgTensors, type Tree } from '@nde/core';
import { isSdeTerm, ODETerm, type SDETerm, type SolveOptions } from '@nde/solvers';
import type { Probe } from './params.js';

/** True for an `ODETerm` (or anything with a `vf(t, y, args)`). @internal */
export function isOdeTerm(terms: unknown): terms is ODETerm {
  return (
    terms instanceof ODETerm ||
    (typeof terms === 'object' && terms !== null && typeof (terms as ODETerm).vf === 'function' && !isSdeTerm(terms))
  );
}

/** A function evaluating everything the parameters can influence (for finding them). @internal */
export function probeOf(o: SolveOptions<Tree, unknown>): Probe {
  const terms = o.terms;
  // The probe reads copies of y0 and args made off the tape: only variables the terms read themselves
  // are parameters (y0 and args get their own gradients), and the probe's VJP does not run back
  // through whatever computed them (a whole encoder, say, or another custom op). A stop-gradient
  // would not do: tfjs still walks and differentiates everything upstream of it.
  const detached = (x: tf.Tensor): tf.Tensor => untaped(() => tf.clone(x));
  const inputs = (): { y0: Tree; args: unknown } => ({
    y0: treeMap(detached, o.y0),
    args: withArgTensors(o.args, argTensors(o.args).map(detached)),
  });
  if (isOdeTerm(terms)) {
    return () => {
      const { y0, args } = inputs();
      return terms.vf(o.t0, y0, args);
    };
  }
  if (isSdeTerm(terms)) {
    const sde = terms as SDETerm;
    return () => {
      const { y0, args } = inputs();
      return [sde.drift(o.t0, y0 as tf.Tensor, args), sde.diffusion(o.t0, y0 as tf.Tensor, args)];
    };
  }
  throw new UnsupportedError(
    'terms',
    'is neither an ODETerm nor an SDETerm, so its parameters cannot be found.',
    'Pass `params` explicitly.',
  );
}

/** Leaves of a tree as a flat list plus a rebuild function. @internal */
export function leavesOf(t: Tree): tf.Tensor[] {
  return treeLeaves(t);
}
