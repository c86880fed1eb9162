/**
 * The posterior SDE with its KL to the prior, integrated alongside (Li et al. 2020, §5):
 *   dz = f_post(t, z) dt + g(t, z) dW,   u = (f_post − f_prior) / g,
 *   d logqp = ½|u|² dt            (standard estimator: KL(q‖p) = E ∫ ½|u|² dt)
 *   d logqp = (f_sg − f_prior)/g² · dz − ½ (f_sg² − f_prior²)/g² dt, dz = f_post dt + g dW
 *             (sticking the landing: the full log-ratio log dq/dp of the path, with the posterior
 *             drift's parameters stopped (f_sg) but the path's own dependence on them kept, so the
 *             score-function term vanishes; Xu et al. 2022). Same value as ½|u|² dt + u·dW.
 * The augmented state is solved by `sdeint`, one posterior drift, one prior drift and one diffusion
 * evaluation per step (torchsde's logqp augmentation; STL adds the stopped-gradient posterior drift it needs),
 * with diagonal noise and no dense noise matrix:
 * - standard: [z, logqp] `[B, d + 1]`, the logqp channel has zero diffusion (its Brownian column is 0);
 * - STL with Euler: [z, k] `[B, 2d]`, k_i accumulates coordinate i of the integrand and is driven by the
 *   same W_i as z_i (diffusion u_sg,i), logqp = Σ_i k_i at the end;
 * - STL with another method: [z, logqp] with general noise (the logqp row u_sg mixes all d motions; the
 *   2d form is not diagonal noise in the sense Milstein and the SRKs assume).
 * All see the same Brownian path as the one given.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, UnsupportedError } from '@nde/core';
import { sdeint, type AdjointMethod, type BrownianIncrement, type BrownianMotion, type LevyAreaKind, type MethodName } from '@nde/solvers';

/** What the posterior drift reads besides z: one tensor, or several (e.g. one per observation time). */
export type PathKLContext = tf.Tensor | readonly tf.Tensor[];

/** The solve's `args`: the posterior drift's context, when there is one. */
type Ctx = PathKLContext | undefined;

/**
 * `[B, n]` → `[B, n + 1]` with a zero last column. One pad kernel and no stored zero tensor: an adjoint
 * calls the terms and the Brownian motion again after `sdeint` has returned.
 */
function withZeroColumn(x: tf.Tensor): tf.Tensor {
  return tf.pad(x, [
    [0, 0],
    [0, 1],
  ]);
}

/** A drift or diffusion of the latent state `[batch, d]` at time t. */
export type LatentFunction = (t: number, z: tf.Tensor) => tf.Tensor;

/** Options of {@link posteriorPathKL}. */
export interface PathKLOptions {
  /**
   * Posterior drift; `detach: true` must give the same value with its parameters behind a stop-gradient.
   * `context` is {@link PathKLOptions.context} as the solve hands it over (read it from here, not from a
   * closure, so that an adjoint differentiates it).
   */
  posteriorDrift: (t: number, z: tf.Tensor, detach: boolean, context?: PathKLContext) => tf.Tensor;
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
  /**
   * Tensors the posterior drift reads that need gradients but are not variables (the latent SDE's
   * encoder contexts). They travel as the solve's `args`, so every adjoint differentiates them. Hand
   * over a list rather than one tensor to slice: picking a list entry costs no kernel and its
   * gradient is the entry's own, where each slice's gradient would be a padded full-size tensor.
   */
  context?: PathKLContext;
  /**
   * How to differentiate the solve (from `@nde/adjoint`; default: backprop through every step). A
   * `RecursiveCheckpointAdjoint` gives the same gradients in a fraction of the memory.
   */
  adjoint?: AdjointMethod;
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
/**
 * The caller's `[B, d]` Brownian motion widened to the augmented state: a zero column (`'zero'`, `[B, d + 1]`) or
 * W itself again (`'repeat'`, `[B, 2d]`). Same queries, same draws: the paths do not change.
 */
class AugmentedBrownian implements BrownianMotion {
  readonly t0: number;
  readonly t1: number;
  readonly shape: readonly number[];
  readonly levyArea: LevyAreaKind;
  constructor(
    private readonly inner: BrownianMotion,
    private readonly mode: 'zero' | 'repeat',
  ) {
    this.t0 = inner.t0;
    this.t1 = inner.t1;
    const [B, d] = inner.shape as [number, number];
    this.shape = [B, mode === 'zero' ? d + 1 : 2 * d];
    this.levyArea = inner.levyArea === 'space-space' ? 'space-time' : inner.levyArea;
  }
  private widen(w: tf.Tensor): tf.Tensor {
    const out = this.mode === 'zero' ? withZeroColumn(w) : tf.concat([w, w], 1);
    w.dispose();
    return out;
  }
  evaluate(s: number, u: number): tf.Tensor {
    return this.widen(this.inner.evaluate(s, u));
  }
  evaluateLevy(s: number, u: number, kind: Exclude<LevyAreaKind, 'none'>): BrownianIncrement {
    if (kind === 'space-space') throw new UnsupportedError('method', 'posteriorPathKL does not pass space-space Lévy area through.');
    const inc = this.inner.evaluateLevy(s, u, kind);
    return { W: this.widen(inc.W), ...(inc.H ? { H: this.widen(inc.H) } : {}) };
  }
  evaluateArray(s: number, u: number): Float32Array {
    const w = this.inner.evaluateArray(s, u);
    const [B, d] = this.inner.shape as [number, number];
    const m = this.shape[1] as number;
    const out = new Float32Array(B * m);
    for (let b = 0; b < B; b++) {
      const row = w.subarray(b * d, (b + 1) * d);
      out.set(row, b * m);
      if (this.mode === 'repeat') out.set(row, b * m + d);
    }
    return out;
  }
}

/**
 * Solve the posterior SDE and accumulate the path KL. Returns `zs` `[times, batch, d]` and `logqp`
 * `[batch]` (the KL estimate of each path over the whole interval). Call inside `tf.tidy`/`variableGrads`.
 * One step evaluates the posterior drift, the prior drift and the diffusion once each (STL: plus the
 * stopped-gradient posterior drift).
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
  const method = options.method ?? 'euler';
  const post = options.posteriorDrift;
  const prior = options.priorDrift;
  const diffusion = options.diffusion;
  const split = (y: tf.Tensor): tf.Tensor => tf.slice(y, [0, 0], [B, d]);
  const solveOptions = {
    method,
    dt,
    checkFinite: false,
    ...(options.context ? { args: options.context } : {}),
    ...(options.adjoint ? { adjoint: options.adjoint } : {}),
  } as const;
  const T = times.length;

  if (!stl) {
    // [z, logqp]: d logqp = ½|u|² dt, zero diffusion on the logqp channel (torchsde's g_logqp = 0).
    const drift = (t: number, z: tf.Tensor, gz: tf.Tensor, c: Ctx): tf.Tensor => {
      const fz = post(t, z, false, c);
      const u = tf.div(tf.sub(fz, prior(t, z)), gz);
      return tf.concat([fz, tf.mul(0.5, tf.sum(tf.square(u), 1, true))], 1);
    };
    const fg = (t: number, y: tf.Tensor, c: Ctx): [tf.Tensor, tf.Tensor] =>
      tf.tidy(() => {
        const z = split(y);
        const gz = diffusion(t, z);
        return [drift(t, z, gz, c), withZeroColumn(gz)];
      });
    const ys = sdeint(
      {
        f: (t, y, c: Ctx) => tf.tidy(() => fg(t, y, c)[0]),
        g: (t, y) => tf.tidy(() => withZeroColumn(diffusion(t, split(y)))),
        fg,
        noiseType: 'diagonal',
        sdeType: 'ito',
      },
      withZeroColumn(z0),
      times,
      { ...solveOptions, bm: new AugmentedBrownian(bm, 'zero') },
    );
    const zs = tf.slice(ys, [0, 0, 0], [T, B, d]) as tf.Tensor3D;
    const logqp = tf.reshape(tf.slice(ys, [T - 1, 0, d], [1, B, 1]), [B]) as tf.Tensor1D;
    return { zs, logqp };
  }

  // log dQ/dP as a functional of the path: ∫ (f_sg − f_p)/g² · dz − ½ ∫ (f_sg² − f_p²)/g² dt with
  // dz = f_post dt + g dW. Its value equals ½|u|² dt + u·dW, but the dz part keeps the path's
  // dependence on the posterior parameters (the reparameterisation), as STL requires.
  // Per coordinate: the dt part `rate` and the dW coefficient u_sg = (f_sg − f_p)/g.
  const stlParts = (t: number, z: tf.Tensor, c: Ctx): { fz: tf.Tensor; gz: tf.Tensor; rate: tf.Tensor; usg: tf.Tensor } => {
    const fz = post(t, z, false, c);
    const fsg = post(t, z, true, c);
    const fp = prior(t, z);
    const gz = diffusion(t, z);
    const g2 = tf.square(gz);
    const dsg = tf.sub(fsg, fp);
    const rate = tf.sub(tf.div(tf.mul(dsg, fz), g2), tf.div(tf.mul(0.5, tf.sub(tf.square(fsg), tf.square(fp))), g2));
    return { fz, gz, rate, usg: tf.div(dsg, gz) };
  };

  if (method === 'euler') {
    // [z, k] with diagonal noise, k_i driven by W_i: Euler's k-increments sum to the logqp increment.
    const fg = (t: number, y: tf.Tensor, c: Ctx): [tf.Tensor, tf.Tensor] =>
      tf.tidy(() => {
        const { fz, gz, rate, usg } = stlParts(t, split(y), c);
        return [tf.concat([fz, rate], 1), tf.concat([gz, usg], 1)];
      });
    const ys = sdeint(
      {
        f: (t, y, c: Ctx) => tf.tidy(() => fg(t, y, c)[0]),
        g: (t, y, c: Ctx) => tf.tidy(() => fg(t, y, c)[1]),
        fg,
        noiseType: 'diagonal',
        sdeType: 'ito',
      },
      tf.concat([z0, tf.zerosLike(z0)], 1),
      times,
      { ...solveOptions, bm: new AugmentedBrownian(bm, 'repeat') },
    );
    const zs = tf.slice(ys, [0, 0, 0], [T, B, d]) as tf.Tensor3D;
    const logqp = tf.sum(tf.reshape(tf.slice(ys, [T - 1, 0, d], [1, B, d]), [B, d]), 1) as tf.Tensor1D;
    return { zs, logqp };
  }

  // Other methods: the logqp row of the diffusion is u_sg, which mixes all d motions (general noise).
  // The identity is built per call, not stored: an adjoint calls g again after sdeint has returned.
  const ys = sdeint(
    {
      f: (t, y, c: Ctx) =>
        tf.tidy(() => {
          const { fz, rate } = stlParts(t, split(y), c);
          return tf.concat([fz, tf.sum(rate, 1, true)], 1);
        }),
      g: (t, y, c: Ctx) =>
        tf.tidy(() => {
          const z = split(y);
          const gz = diffusion(t, z);
          const usg = tf.div(tf.sub(post(t, z, true, c), prior(t, z)), gz);
          return tf.concat([tf.mul(tf.expandDims(gz, 2), tf.eye(d)), tf.expandDims(usg, 1)], 1); // [B, d + 1, d]
        }),
      noiseType: 'general',
      sdeType: 'ito',
    },
    tf.concat([z0, tf.zeros([B, 1])], 1),
    times,
    { ...solveOptions, bm },
  );
  const zs = tf.slice(ys, [0, 0, 0], [T, B, d]) as tf.Tensor3D;
  const logqp = tf.reshape(tf.slice(ys, [T - 1, 0, d], [1, B, 1]), [B]) as tf.Tensor1D;
  return { zs, logqp };
}
