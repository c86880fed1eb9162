/**
 * Gradient clipping by global norm, with `torch.nn.utils.clip_grad_norm_`'s formula: with
 * `‖g‖ = √(Σᵢ ‖gᵢ‖²)` over every gradient, each gradient is multiplied by
 * `min(1, maxNorm / (‖g‖ + 1e-6))`. This is the one clipping rule of `@nde/*` optimizers.
 */
import * as tf from '@tensorflow/tfjs';
import { addMany, assertPositive } from '@nde/core';

/** Named gradients, as returned by `tf.variableGrads(...).grads`. */
export type NamedGrads = Record<string, tf.Tensor>;

/** The `1e-6` added to the norm in {@link clipScale} (as PyTorch's `clip_grad_norm_`). */
export const CLIP_EPSILON = 1e-6;

/**
 * The global L2 norm of a set of gradients, √(Σ‖g‖²), as a JS number.
 * @param grads - Named gradient tensors (not disposed).
 * @returns The norm (0 for no gradients).
 *
 * @example
 * ```ts
 * const { grads } = tf.variableGrads(() => loss(), vars);
 * console.log(globalNorm(grads));
 * ```
 */
export function globalNorm(grads: NamedGrads): number {
  const list = Object.values(grads);
  if (list.length === 0) return 0;
  const sq = tf.tidy(() => addMany(list.map((g) => tf.sum(tf.square(g)))));
  const v = Math.sqrt(sq.dataSync()[0] as number);
  sq.dispose();
  return v;
}

/**
 * The factor {@link clipByGlobalNorm} multiplies every gradient by: `min(1, maxNorm / (norm + 1e-6))`.
 * @param norm - Global gradient norm before clipping (≥ 0).
 * @param maxNorm - Largest allowed global norm (positive).
 * @returns The scale in (0, 1].
 *
 * @example
 * ```ts
 * clipScale(5, 1); // 1 / (5 + 1e-6)
 * clipScale(0.5, 1); // 1
 * ```
 */
export function clipScale(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + CLIP_EPSILON));
}

/**
 * Rescale `grads` so their global norm is at most `maxNorm` (factor {@link clipScale}). Returns new
 * tensors (the caller owns them and the inputs) together with the norm before clipping.
 * @param grads - Named gradient tensors to rescale (left untouched).
 * @param maxNorm - Largest allowed global L2 norm (positive); gradients below it are only copied.
 * @returns The clipped gradients (new tensors) and the global norm before clipping.
 *
 * @example
 * ```ts
 * const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.0);
 * ```
 */
export function clipByGlobalNorm(grads: NamedGrads, maxNorm: number): { grads: NamedGrads; norm: number } {
  assertPositive('maxNorm', maxNorm, 'Pass the largest allowed global gradient norm, e.g. 1.');
  const norm = globalNorm(grads);
  const scale = clipScale(norm, maxNorm);
  const out: NamedGrads = {};
  for (const [k, g] of Object.entries(grads)) out[k] = scale === 1 ? tf.clone(g) : tf.mul(g, scale);
  return { grads: out, norm };
}
