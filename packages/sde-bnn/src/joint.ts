/**
 * The joint SDE of an SDE-BNN block over depth t ∈ [0, t1], one row per weight sample s:
 *
 *   dh = f_{w(t)}(t, h) dt                          (the hidden state: an ODE driven by the weights)
 *   dw = f_φ(t, w) dt + σ dW                        (posterior over weight paths)
 *   dk = ½ u² dt            with u = (f_φ − f_prior) / σ      (KL accumulator, per weight coordinate)
 *   dk = ½ u_sg² dt + u_sg · dW                                (sticking the landing, φ stopped)
 *
 * packed as one state `[S, hiddenSize + 2D]` and solved by `solve` from `@nde/solvers` with any of
 * the SDE methods below and any adjoint from `@nde/adjoint`. Σ_j k_j(t1) estimates
 * KL(q ‖ p) = E_q ∫ ½|u|² dt (Li et al. 2020; Xu et al. 2022).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, UnsupportedError, assertPositive, type Module, assertPositiveInteger } from '@nde/core';
import { VirtualBrownianTree, type Key } from '@nde/brownian';
import { SDETerm, solve, type AdjointMethod } from '@nde/solvers';
import { BacksolveAdjoint, ReversibleAdjoint, StochasticAdjoint } from '@nde/adjoint';
import { JointBrownian } from './brownian.js';
import type { OUPrior } from './prior.js';

/** SDE methods for the joint state (fixed steps). */
export type SdeBnnMethod = 'euler' | 'midpoint' | 'heun' | 'reversible_heun';
/** Gradient strategies: backpropagation through the solver, the stochastic adjoint, backsolve, or the reversible adjoint (with 'reversible_heun'). */
export type SdeBnnAdjoint = 'direct' | 'stochastic' | 'backsolve' | 'reversible';

const METHODS: readonly SdeBnnMethod[] = ['euler', 'midpoint', 'heun', 'reversible_heun'];
const ADJOINTS: readonly SdeBnnAdjoint[] = ['direct', 'stochastic', 'backsolve', 'reversible'];

/** A drift over the weights: the posterior network, or the prior itself (sampling the prior). */
export interface WeightDrift {
  /** f(t, w) for `w: [S, D]`; `detach` stops the gradient to its own parameters (same value). */
  apply(t: number, w: tf.Tensor, detach?: boolean): tf.Tensor;
  /** ∂f_j/∂w_j, `[S, D]` (needed for STL with Stratonovich methods). */
  diagJacobian?(t: number, w: tf.Tensor, detach?: boolean): tf.Tensor;
}

/** The hidden vector field: h `[S, hiddenSize]` (G examples per row, flattened), w `[S, D]` → dh/dt like h. */
export type HiddenField = (t: number, h: tf.Tensor, w: tf.Tensor) => tf.Tensor;

/** Options of {@link solveJoint}. */
export interface JointSolveOptions {
  /** Initial hidden state `[S, hiddenSize]`, or undefined for the weight SDE alone. */
  h0?: tf.Tensor;
  /** Initial weights `[S, D]`. */
  w0: tf.Tensor;
  /** The hidden vector field (required with `h0`). */
  field?: HiddenField;
  /** The OU prior the path KL is measured against (its σ is the diffusion of the weights). */
  prior: OUPrior;
  /** Drift of the posterior weight SDE. */
  posterior: WeightDrift;
  /** End of depth (default 1). */
  t1?: number;
  /** Number of fixed solver steps (default 4). */
  steps?: number;
  /** Default 'midpoint'. */
  method?: SdeBnnMethod;
  /** Default 'direct'. */
  adjoint?: SdeBnnAdjoint;
  /** Parameters the adjoint differentiates (the posterior network and any field parameters). */
  params?: Module | readonly tf.Variable[];
  /** Sticking-the-landing KL estimator (default false). */
  stl?: boolean;
  /** Key of the Brownian motion (same key → same weight paths). */
  key: Key;
  /** Save also at these times (default: only t1). */
  saveTimes?: readonly number[];
}

/** What {@link solveJoint} returns. Call it inside `tf.tidy` (or a gradient closure): intermediates are left to the scope. */
export interface JointSolution {
  /** Hidden state at t1 `[S, hiddenSize]` (undefined without `h0`). */
  h?: tf.Tensor;
  /** Weights at t1 `[S, D]`. */
  w: tf.Tensor;
  /** KL estimate of each weight path `[S]`. */
  kl: tf.Tensor;
  /** Weights at each saved time `[T, S, D]` when `saveTimes` is given. */
  ws?: tf.Tensor;
  /** Drift/diffusion evaluations. */
  nfe: number;
}

function makeAdjoint(name: SdeBnnAdjoint, params: Module | readonly tf.Variable[] | undefined): AdjointMethod | undefined {
  const opts = params ? { params } : {};
  if (name === 'direct') return undefined;
  if (name === 'stochastic') return new StochasticAdjoint(opts);
  if (name === 'backsolve') return new BacksolveAdjoint(opts);
  return new ReversibleAdjoint(opts);
}

/**
 * Solve the joint [h, w, KL] SDE of an SDE-BNN block on fixed steps.
 *
 * @param o - the problem: initial weights `w0` `[S, D]`, optional hidden state `h0` `[S, hiddenSize]` with its `field`, the `prior`, the `posterior` drift, the Brownian `key`, and the solver settings `t1` (default 1), `steps` (default 4), `method` (default midpoint), `adjoint` (default direct), `params`, `stl` and `saveTimes`; see {@link JointSolveOptions}. The input tensors are not disposed.
 *
 * @throws InvalidArgumentError for an unknown method/adjoint; UnsupportedError for 'reversible'
 * without 'reversible_heun'; ShapeError when h0 and w0 disagree on the number of samples.
 *
 * @example
 * ```ts
 * const prior = new OUPrior({ theta: 1, sigma: 0.5 });
 * const post = new PosteriorDrift({ weightDim: 3 });
 * const { w, kl } = solveJoint({ w0: tf.zeros([100, 3]), prior, posterior: post, key: key(0), steps: 8 });
 * ```
 */
export function solveJoint(o: JointSolveOptions): JointSolution {
  const method = o.method ?? 'midpoint';
  const adjoint = o.adjoint ?? 'direct';
  if (!METHODS.includes(method))
    throw new InvalidArgumentError('method', `must be one of ${METHODS.join(', ')} (got '${String(method)}').`);
  if (!ADJOINTS.includes(adjoint))
    throw new InvalidArgumentError('adjoint', `must be one of ${ADJOINTS.join(', ')} (got '${String(adjoint)}').`);
  if (adjoint === 'reversible' && method !== 'reversible_heun') {
    throw new UnsupportedError(
      'adjoint',
      "the reversible adjoint needs method 'reversible_heun'.",
      "Use method: 'reversible_heun', or adjoint 'direct'/'stochastic'.",
    );
  }
  if ((adjoint === 'stochastic' || adjoint === 'backsolve') && method === 'euler' && o.stl) {
    throw new UnsupportedError(
      'adjoint',
      'the stochastic adjoint solves Stratonovich SDEs; the STL term makes the Itô (euler) form differ.',
      "Use method 'midpoint' or 'heun' with STL and the stochastic adjoint.",
    );
  }
  const t1 = o.t1 ?? 1;
  const steps = o.steps ?? 4;
  assertPositive('t1', t1);
  assertPositiveInteger('steps', steps);
  if (o.w0.rank !== 2) throw new ShapeError('w0', `must be [samples, D] (got [${o.w0.shape}]).`);
  const [S, D] = o.w0.shape as [number, number];
  const hasH = o.h0 !== undefined;
  if (hasH && (o.h0 as tf.Tensor).shape[0] !== S)
    throw new ShapeError('h0', `has ${(o.h0 as tf.Tensor).shape[0]} rows but w0 has ${S} (one row per weight sample).`);
  if (hasH && !o.field) throw new InvalidArgumentError('field', 'is required when h0 is given.');
  const Nh = hasH ? ((o.h0 as tf.Tensor).shape[1] as number) : 0;
  const stl = o.stl ?? false;
  const sdeType = method === 'euler' ? 'ito' : 'stratonovich';
  const { prior, posterior } = o;
  const sigma = prior.sigma;
  if (stl && sdeType === 'stratonovich' && !posterior.diagJacobian) {
    throw new UnsupportedError(
      'posterior',
      'STL with a Stratonovich method needs posterior.diagJacobian for the Itô correction.',
      "Use method 'euler', or a posterior with diagJacobian (PosteriorDrift has one).",
    );
  }
  const split = (y: tf.Tensor): { h: tf.Tensor | undefined; w: tf.Tensor } => ({
    h: hasH ? tf.slice(y, [0, 0], [S, Nh]) : undefined,
    w: tf.slice(y, [0, Nh], [S, D]),
  });
  const uSg = (t: number, w: tf.Tensor): tf.Tensor => tf.div(tf.sub(posterior.apply(t, w, true), prior.drift(w)), sigma);
  let nfe = 0;
  const drift = (t: number, y: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      nfe++;
      const { h, w } = split(y);
      const fw = posterior.apply(t, w, false);
      const u = stl ? uSg(t, w) : tf.div(tf.sub(fw, prior.drift(w)), sigma);
      let dk = tf.mul(0.5, tf.square(u));
      if (stl && sdeType === 'stratonovich') {
        const dj = (posterior.diagJacobian as NonNullable<WeightDrift['diagJacobian']>)(t, w, true);
        dk = tf.sub(dk, tf.mul(0.5, tf.add(dj, prior.theta)));
      }
      const parts = hasH ? [(o.field as HiddenField)(t, h as tf.Tensor, w), fw, dk] : [fw, dk];
      return tf.concat(parts, 1);
    });
  const diffusion = (t: number, y: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const parts: tf.Tensor[] = [];
      if (hasH) parts.push(tf.zeros([S, Nh]));
      parts.push(tf.fill([S, D], sigma));
      parts.push(stl ? uSg(t, split(y).w) : tf.zeros([S, D]));
      return tf.concat(parts, 1);
    });
  const dt = t1 / steps;
  const inner = new VirtualBrownianTree({ t0: 0, t1, shape: [S, D], key: o.key, tol: dt / 8 });
  const bm = new JointBrownian(inner, Nh);
  const term = new SDETerm({ drift, diffusion, bm, noise: 'diagonal', sdeType });
  const y0 = tf.tidy(() => tf.concat(hasH ? [o.h0 as tf.Tensor, o.w0, tf.zeros([S, D])] : [o.w0, tf.zeros([S, D])], 1));
  const adj = makeAdjoint(adjoint, o.params);
  const saveTimes = o.saveTimes ? [...o.saveTimes] : undefined;
  const sol = solve({
    terms: term,
    solver: method,
    t0: 0,
    t1,
    y0,
    dt0: dt,
    saveAt: saveTimes ? { ts: saveTimes } : { t1: true },
    checkFinite: false,
    ...(adj ? { adjoint: adj } : {}),
  });
  const ys = sol.ys as tf.Tensor; // [T, S, N]
  const T = ys.shape[0] as number;
  const last = tf.squeeze(tf.slice(ys, [T - 1, 0, 0], [1, S, Nh + 2 * D]), [0]);
  const out: JointSolution = {
    w: tf.slice(last, [0, Nh], [S, D]),
    kl: tf.sum(tf.slice(last, [0, Nh + D], [S, D]), 1),
    nfe,
  };
  if (hasH) out.h = tf.slice(last, [0, 0], [S, Nh]);
  if (saveTimes) out.ws = tf.slice(ys, [0, 0, Nh], [T, S, D]);
  return out;
}
