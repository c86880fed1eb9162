/** Gradient clipping by global norm (as `torch.nn.utils.clip_grad_norm_`). */
import * as tf from '@tensorflow/tfjs';
import { assertPositive } from '@nde/core';

/** Named gradients, as returned by `tf.variableGrads(...).grads`. */
export type NamedGrads = Record<string, tf.Tensor>;

/**
 * The global L2 norm of a set of gradients, √(Σ‖g‖²), as a JS number.
 * @param grads - Named gradient tensors (not disposed).
 *
 * @example
 * ```ts
 * const { grads } = tf.variableGrads(() => loss(), vars);
 * console.log(globalNorm(grads));
 * ```
 */
export function globalNorm(grads: NamedGrads): number {
  const sq = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const v = Math.sqrt(sq.dataSync()[0] as number);
  sq.dispose();
  return v;
}

/**
 * Rescale `grads` so their global norm is at most `maxNorm`. Returns new tensors (the caller owns
 * them and the inputs) together with the norm before clipping.
 * @param grads - Named gradient tensors to rescale (left untouched).
 * @param maxNorm - Largest allowed global L2 norm (positive); gradients below it are only copied.
 *
 * @example
 * ```ts
 * const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.0);
 * optimizer.applyGradients(clipped);
 * ```
 */
export function clipByGlobalNorm(grads: NamedGrads, maxNorm: number): { grads: NamedGrads; norm: number } {
  assertPositive('maxNorm', maxNorm, 'Pass the largest allowed global gradient norm, e.g. 1.');
  const norm = globalNorm(grads);
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  const out: NamedGrads = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
  return { grads: out, norm };
}
