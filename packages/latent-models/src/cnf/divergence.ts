/**
 * Divergence of a vector field, tr(∂f/∂z), exactly (one vector-Jacobian product per dimension,
 * batched into one call on a tiled batch) or by Hutchinson's estimator εᵀ(∂f/∂z)ε.
 * Both also return ‖∂f/∂z‖²_F (exact, or its Hutchinson estimate ‖εᵀ∂f/∂z‖²) for the
 * Jacobian-norm regulariser of RNODE (Finlay et al. 2020).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, UnknownMethodError } from '@nde/core';
import type { CNFVectorField } from './vector-field.js';

/** How the trace is computed. */
export type TraceEstimator = 'exact' | 'hutchinson';
/** Distribution of Hutchinson probes. */
export type ProbeNoise = 'gaussian' | 'rademacher';

/** Output of {@link divergence}: all tensors belong to the caller. */
export interface DivergenceResult {
  /** f(z), `[batch, dim]`. */
  readonly f: tf.Tensor;
  /** tr(∂f/∂z) (or its estimate), `[batch]`. */
  readonly div: tf.Tensor;
  /** ‖∂f/∂z‖²_F (or its estimate), `[batch]`. */
  readonly jacFrob: tf.Tensor;
}

/**
 * Divergence of the field at time `t` and `z: [batch, dim]`.
 *
 * With `field.jvp` (forward mode, the default path of every layer here):
 * - `exact`: tangents = the `dim` unit vectors, tr = Σᵢ (J eᵢ)ᵢ and ‖J‖²_F = Σᵢ ‖J eᵢ‖²
 *   (one forward pass carrying `dim` tangents — right for small `dim`);
 * - `hutchinson`: one tangent ε, tr ≈ εᵀ(J ε), ‖J‖²_F ≈ ‖J ε‖² (unbiased when E[εεᵀ] = I).
 * These are built from first-order ops, so reverse mode trains through them correctly.
 *
 * Without `jvp` it falls back to vector–Jacobian products (`tf.grads`, one per dimension batched on a
 * tiled batch, or εᵀJ): the values are right, but tfjs 4 detaches saved tensors in gradients of
 * gradients, so do not train parameters through the trace on that path.
 *
 * @param field - The vector field `f(t, z)`; its `jvp` is used when present.
 * @param t - Time at which the field is evaluated.
 * @param z - State, `[batch, dim]` (not disposed).
 * @param estimator - `'exact'` (all `dim` unit tangents) or `'hutchinson'` (the single probe `eps`).
 * @param eps - Hutchinson probe `[batch, dim]` (see {@link probe}); required for `'hutchinson'`, ignored for `'exact'`; not disposed.
 * @returns `f`, `div` and `jacFrob`, new tensors owned by the caller.
 * @throws ShapeError when `z` is not rank 2 or `eps` has the wrong shape; UnknownMethodError for an unknown estimator.
 *
 * @example
 * ```ts
 * const f = new ConcatSquashMLP({ dim: 2, hidden: [32], seed: 0 });
 * const { f: dz, div } = divergence(f, 0.5, tf.randomNormal([5, 2]), 'exact');
 * ```
 */
export function divergence(field: CNFVectorField, t: number, z: tf.Tensor, estimator: TraceEstimator, eps?: tf.Tensor): DivergenceResult {
  if (z.rank !== 2) throw new ShapeError('z', `expected [batch, dim], got [${z.shape}].`);
  const [b, d] = z.shape as [number, number];
  if (estimator !== 'exact' && estimator !== 'hutchinson')
    throw new UnknownMethodError('estimator', String(estimator), ['exact', 'hutchinson']);
  if (estimator === 'hutchinson') {
    if (!eps)
      throw new InvalidArgumentError('eps', 'is required for the Hutchinson estimator.', 'Pass a probe from `probe(shape, noise, seed)`.');
    if (eps.shape[0] !== b || eps.shape[1] !== d) throw new ShapeError('eps', `expected [${b}, ${d}], got [${eps.shape}].`);
  }
  if (field.jvp) {
    const jvp = field.jvp.bind(field);
    return tf.tidy(() => {
      if (estimator === 'exact') {
        const eye = tf.eye(d).reshape([1, d, d]);
        const { f, jv } = jvp(t, z, tf.tile(eye, [b, 1, 1]));
        return { f, div: tf.sum(tf.mul(jv, eye), [1, 2]), jacFrob: tf.sum(tf.square(jv), [1, 2]) };
      }
      const { f, jv } = jvp(t, z, tf.expandDims(eps as tf.Tensor, 1));
      const v = jv.reshape([b, d]);
      return { f, div: tf.sum(tf.mul(v, eps as tf.Tensor), 1), jacFrob: tf.sum(tf.square(v), 1) };
    });
  }
  const fn = (x: tf.Tensor): tf.Tensor => field.call(t, x);
  if (estimator === 'exact') {
    return tf.tidy(() => {
      const zr = tf.tile(z, [d, 1]);
      const dy = tf
        .tile(
          tf
            .oneHot(tf.range(0, d, 1, 'int32'), d)
            .cast('float32')
            .reshape([d, 1, d]),
          [1, b, 1],
        )
        .reshape([d * b, d]);
      const { value, grads } = tf.valueAndGrads(fn)([zr], dy);
      const rows = (grads[0] as tf.Tensor).reshape([d, b, d]);
      const div = tf.sum(tf.mul(rows, dy.reshape([d, b, d])), [0, 2]);
      const jacFrob = tf.sum(tf.square(rows), [0, 2]);
      return { f: value.slice([0, 0], [b, d]), div, jacFrob };
    });
  }
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(fn)([z], eps as tf.Tensor);
    const vjp = grads[0] as tf.Tensor;
    return { f: value, div: tf.sum(tf.mul(vjp, eps as tf.Tensor), 1), jacFrob: tf.sum(tf.square(vjp), 1) };
  });
}

/**
 * A Hutchinson probe with E[εεᵀ] = I: standard Gaussian or Rademacher (±1). Owned by the caller.
 * @param shape - `[batch, dim]`, the shape of the state it probes.
 * @param noise - `'gaussian'` (N(0, 1) entries) or `'rademacher'` (±1 with probability ½ each).
 * @param seed - Seed of the tfjs random op (same seed, same probe).
 * @throws UnknownMethodError for any other `noise`.
 *
 * @example
 * ```ts
 * const eps = probe([128, 2], 'rademacher', 0);
 * ```
 */
export function probe(shape: [number, number], noise: ProbeNoise, seed: number): tf.Tensor2D {
  if (noise === 'gaussian') return tf.randomNormal(shape, 0, 1, 'float32', seed);
  if (noise === 'rademacher') {
    return tf.tidy(() => tf.sub(tf.mul(tf.randomUniform(shape, 0, 1, 'float32', seed).greater(0.5).cast('float32'), 2), 1)) as tf.Tensor2D;
  }
  throw new UnknownMethodError('noise', String(noise), ['gaussian', 'rademacher']);
}
