/**
 * The posterior SDE with its KL to the prior, integrated alongside (Li et al. 2020, §5):
 *   dz = f_post(t, z) dt + g(t, z) dW,   u = (f_post − f_prior) / g,
 *   d logqp = ½|u|² dt            (standard estimator: KL(q‖p) = E ∫ ½|u|² dt)
 *   d logqp = (f_sg − f_prior)/g² · dz − ½ (f_sg² − f_prior²)/g² dt, dz = f_post dt + g dW
 *             (sticking the landing: the full log-ratio log dq/dp of the path, with the posterior
 *             drift's parameters stopped (f_sg) but the path's own dependence on them kept, so the
 *             score-function term vanishes; Xu et al. 2022). Same value as ½|u|² dt + u·dW.
 * The augmented state [z, logqp] is solved by `sdeint` with general noise (the logqp row of the
 * diffusion is 0 or u_sg), so both estimators see the same Brownian path.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { sdeint, type BrownianMotion, type MethodName } from '@nde/solvers';

/** A drift or diffusion of the latent state `[batch, d]` at time t. */
export type LatentFunction = (t: number, z: tf.Tensor) => tf.Tensor;

/** Options of {@link posteriorPathKL}. */
export interface PathKLOptions {
  /** Posterior drift; `detach: true` must give the same value with its parameters behind a stop-gradient. */
  posteriorDrift: (t: number, z: tf.Tensor, detach: boolean) => tf.Tensor;
  /** Prior drift f_prior(t, z), shaped like z (the KL is measured against this SDE). */
  priorDrift: LatentFunction;
  /** Diagonal diffusion, shaped like z and > 0. */
  diffusion: LatentFunction;
  /** Initial latent state `[batch, d]`. */
  z0: tf.Tensor2D;
  /** Save times (the first is the start). */
  times: readonly number[];
  /** Solver step. */
  dt: number;
  /** Brownian motion of shape `[batch, d]` over [times[0], times[last]]. */
  bm: BrownianMotion;
  /** Sticking-the-landing estimator (default false). */
  stl?: boolean;
  /** Itô method (default 'euler'). */
  method?: MethodName;
}

/**
 * Solve the posterior SDE and accumulate the path KL. Returns `zs` `[times, batch, d]` and `logqp`
 * `[batch]` (the KL estimate of each path over the whole interval). Call inside `tf.tidy`/`variableGrads`.
 * @param options - Drifts, diffusion, initial state, save times, step, Brownian motion, estimator and method.
 * @throws ShapeError when `z0` is not `[batch, d]` or `bm` is not shaped like it; InvalidArgumentError for fewer than two times.
 *
 * @example
 * ```ts
 * const { zs, logqp } = posteriorPathKL({
 *   posteriorDrift: (t, z) => tf.mul(z, -1), priorDrift: (t, z) => tf.mul(z, -0.5),
 *   diffusion: (t, z) => tf.onesLike(z), z0, times: [0, 0.5, 1], dt: 0.01, bm,
 * });
 * ```
 */
export function posteriorPathKL(options: PathKLOptions): { zs: tf.Tensor3D; logqp: tf.Tensor1D } {
  const { z0, times, bm, dt } = options;
  if (z0.rank !== 2) throw new ShapeError('z0', `must be [batch, d] (got [${z0.shape}]).`);
  const [B, d] = z0.shape;
  if (bm.shape.length !== 2 || bm.shape[0] !== B || bm.shape[1] !== d) {
    throw new ShapeError('bm', `has shape [${bm.shape}], expected [${B}, ${d}] (one Brownian motion per latent coordinate).`);
  }
  if (times.length < 2) throw new InvalidArgumentError('times', `needs at least two times (got ${times.length}).`);
  const stl = options.stl ?? false;
  const split = (y: tf.Tensor): tf.Tensor => tf.slice(y, [0, 0], [B, d]);
  const uOf = (t: number, z: tf.Tensor, detach: boolean): tf.Tensor =>
    tf.div(tf.sub(options.posteriorDrift(t, z, detach), options.priorDrift(t, z)), options.diffusion(t, z));
  const f = (t: number, y: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const z = split(y);
      const fz = options.posteriorDrift(t, z, false);
      if (!stl) return tf.concat([fz, tf.mul(0.5, tf.sum(tf.square(uOf(t, z, false)), 1, true))], 1);
      // log dQ/dP as a functional of the path: ∫ (f_sg − f_p)/g² · dz − ½ ∫ (f_sg² − f_p²)/g² dt with
      // dz = f_post dt + g dW. Its value equals ½|u|² dt + u·dW, but the dz part keeps the path's
      // dependence on the posterior parameters (the reparameterisation), as STL requires.
      const fsg = options.posteriorDrift(t, z, true);
      const fp = options.priorDrift(t, z);
      const g2 = tf.square(options.diffusion(t, z));
      const rate = tf.sub(tf.div(tf.mul(tf.sub(fsg, fp), fz), g2), tf.div(tf.mul(0.5, tf.sub(tf.square(fsg), tf.square(fp))), g2));
      return tf.concat([fz, tf.sum(rate, 1, true)], 1);
    });
  const eye = tf.eye(d);
  const g = (t: number, y: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const z = split(y);
      const gz = options.diffusion(t, z);
      const diag = tf.mul(tf.expandDims(gz, 2), eye); // [B, d, d]
      const last = stl ? tf.expandDims(uOf(t, z, true), 1) : tf.zeros([B, 1, d]);
      return tf.concat([diag, last], 1); // [B, d + 1, d]
    });
  const y0 = tf.concat([z0, tf.zeros([B, 1])], 1);
  const ys = sdeint({ f, g, noiseType: 'general', sdeType: 'ito' }, y0, times, {
    method: options.method ?? 'euler',
    dt,
    bm,
    checkFinite: false,
  });
  const T = times.length;
  const zs = tf.slice(ys, [0, 0, 0], [T, B, d]) as tf.Tensor3D;
  const logqp = tf.reshape(tf.slice(ys, [T - 1, 0, d], [1, B, 1]), [B]) as tf.Tensor1D;
  return { zs, logqp };
}
