/** What the adjoints need to know about the terms of a solve (ODE or SDE), without depending on their classes' internals. */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError, treeLeaves, type Tree } from '@nde/core';
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
  if (isOdeTerm(terms)) return () => terms.vf(o.t0, o.y0, o.args);
  if (isSdeTerm(terms)) {
    const sde = terms as SDETerm;
    return () => [sde.drift(o.t0, o.y0 as tf.Tensor, o.args), sde.diffusion(o.t0, o.y0 as tf.Tensor, o.args)];
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
