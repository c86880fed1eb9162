/** A tolerance per leaf, for the error norms (host and device). */
import type * as tf from '@tensorflow/tfjs';
import { treeLeaves } from '@nde/core';
import type { Tolerance } from './error-norm.js';

/**
 * The tolerance of leaf i: the number, the one tensor, or the i-th leaf of a tolerance tree.
 * @param tol - the tolerance
 * @param i - the leaf's index
 * @internal
 */
export function leafTol(tol: Tolerance, i: number): number | tf.Tensor {
  if (typeof tol === 'number') return tol;
  const leaves = treeLeaves(tol);
  return (leaves.length === 1 ? leaves[0] : leaves[i]) as tf.Tensor;
}
