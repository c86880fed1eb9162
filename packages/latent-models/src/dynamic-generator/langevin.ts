/**
 * Langevin dynamics, the inferential back-propagation of alternating back-propagation:
 * z ← z + (δ²/2) ∇ log p(z) + δ ε,  ε ~ N(0, I).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';

/** Options of {@link langevinStep}. */
export interface LangevinOptions {
  /** Step size δ (> 0). */
  stepSize: number;
  /** Seed of the injected noise. */
  seed: number;
  /** Drop the noise (gradient ascent on log p) — for MAP refinement. */
  noiseless?: boolean;
}

/**
 * One Langevin step on every tensor of `z`, given `gradLogP(z)` (one gradient per tensor).
 * Returns new tensors (caller disposes the old and the new).
 * @param z - Current latents, any shapes (not disposed).
 * @param gradLogP - Returns ∇ log p at `z`, one tensor per entry of `z` with its shape (called once, inside `tf.tidy`).
 * @param o - Step size δ, noise seed (tensor `i` uses `seed·7919 + i`) and `noiseless`.
 * @throws InvalidArgumentError when `stepSize` is not a positive finite number or `gradLogP` returns the wrong number of tensors.
 *
 * @example
 * ```ts
 * // target N(0, 1): ∇ log p(z) = −z
 * const [z1] = langevinStep([z0], ([z]) => [tf.neg(z)], { stepSize: 0.1, seed: 0 });
 * ```
 */
export function langevinStep(z: readonly tf.Tensor[], gradLogP: (z: readonly tf.Tensor[]) => tf.Tensor[], o: LangevinOptions): tf.Tensor[] {
  if (!(o.stepSize > 0 && Number.isFinite(o.stepSize)))
    throw new InvalidArgumentError('stepSize', `must be a positive number (got ${o.stepSize}).`);
  return tf.tidy(() => {
    const g = gradLogP(z);
    if (g.length !== z.length) throw new InvalidArgumentError('gradLogP', `returned ${g.length} gradients for ${z.length} tensors.`);
    const d = o.stepSize;
    return z.map((zi, i) => {
      const drift = tf.add(zi, tf.mul((d * d) / 2, g[i] as tf.Tensor));
      return o.noiseless ? drift : tf.add(drift, tf.mul(d, tf.randomNormal(zi.shape, 0, 1, 'float32', o.seed * 7919 + i)));
    });
  });
}
