/**
 * Continuous normalizing flow (Chen et al. 2018; FFJORD, Grathwohl et al. 2019):
 * d[z, Δlog p]/dt = [f(z, t), −tr(∂f/∂z)], data at t = 0, the N(0, I) base at t = T.
 * log p(x) = log N(z(T)) − Δ(T). Optional RNODE regularisers (Finlay et al. 2020) integrate
 * ∫‖f‖² dt (kinetic energy) and ∫‖∂f/∂z‖²_F dt alongside.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, ShapeError, collectParameters, type Tree, assertPositiveInteger } from '@nde/core';
import {
  ConstantStepSize,
  ODETerm,
  PIDController,
  solve,
  type AdjointMethod,
  type MethodName,
  type Solver,
  type SolveStats,
} from '@nde/solvers';
import { divergence, probe, type ProbeNoise, type TraceEstimator } from './divergence.js';
import type { CNFVectorField } from './vector-field.js';

/** Options of {@link CNF}. */
export interface CNFOptions {
  /** The vector field, or several stacked as successive blocks (FFJORD `num_blocks`). */
  field: CNFVectorField | readonly CNFVectorField[];
  /** Integration time of each block (default 1; FFJORD toys use 0.5). */
  T?: number;
  /** Trace computation (default 'exact' when dim ≤ 8, else 'hutchinson'). */
  trace?: TraceEstimator;
  /** Hutchinson probe distribution (default 'rademacher'); one probe per solve, fixed over time. */
  noise?: ProbeNoise;
  /** ODE method (default 'dopri5'); any adaptive or fixed-step solver of `@nde/solvers`. */
  solver?: Solver | MethodName;
  /** Tolerances of the adaptive controller (default 1e-5 / 1e-5, as FFJORD). */
  rtol?: number;
  /** Absolute tolerance of the adaptive controller (default 1e-5). */
  atol?: number;
  /** Fixed step (positive) for fixed-step methods; ignored by adaptive ones unless `fixedStep`. */
  dt?: number;
  /** Gradient strategy from `@nde/adjoint` (default: backprop through the solver's operations). */
  adjoint?: AdjointMethod;
  /** RNODE weights: kinetic energy ∫‖f‖² and Jacobian Frobenius ∫‖∂f/∂z‖²_F (default 0: not integrated). */
  regularization?: { kinetic?: number; jacobianFrobenius?: number };
  /** Seed of the Hutchinson probes and of `sample` (advanced after each use). */
  seed?: number;
  /** Maximum solver steps per block (default 4096). */
  maxSteps?: number;
}

/** Work counters of the last call. */
export interface CNFStats {
  /** Vector-field evaluations of the forward solves (sum over blocks). */
  nfeForward: number;
  /**
   * Vector-field evaluations made while computing gradients (adjoint backward solves); 0 when
   * differentiating through the solver's operations. Set by {@link CNF.trainStep}.
   */
  nfeBackward: number;
  /** Accepted + rejected steps of the forward solves. */
  steps: number;
}

/** Result of {@link CNF.forward}: tensors belong to the caller. */
export interface CNFFlowResult {
  /** The transported points. */
  z: tf.Tensor2D;
  /** Δ = ∫ −tr(∂f/∂z) dt along the path, `[batch]`. */
  deltaLogp: tf.Tensor1D;
  /** ∫‖f‖² dt per example (zeros when not regularised), `[batch]`. */
  kinetic: tf.Tensor1D;
  /** ∫‖∂f/∂z‖²_F dt per example (zeros when not regularised), `[batch]`. */
  jacobianFrobenius: tf.Tensor1D;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Standard normal log-density of each row of `z: [batch, dim]` → `[batch]`.
 * @param z - Points, `[batch, dim]` (the last axis is the event dimension); not disposed.
 * @returns log N(z; 0, I) in nats, a new tensor owned by the caller.
 *
 * @example
 * ```ts
 * standardNormalLogProb(tf.zeros([1, 2])); // [−log 2π]
 * ```
 */
export function standardNormalLogProb(z: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.mul(-0.5, tf.add(tf.sum(tf.square(z), -1), (z.shape[z.rank - 1] as number) * LOG_2PI)) as tf.Tensor1D);
}

/**
 * A continuous normalizing flow with exact or Hutchinson trace, any solver and any adjoint.
 *
 * @example
 * ```ts
 * const cnf = new CNF({ field: new ConcatSquashMLP({ dim: 2, hidden: [64, 64, 64] }), T: 0.5 });
 * const opt = tf.train.adam(1e-3);
 * cnf.trainStep(opt, batch);                 // returns the mean NLL; cnf.stats has the NFE
 * const lp = cnf.logProb(testPoints);        // [n], caller disposes
 * const { x } = cnf.sample(1000);
 * ```
 */
export class CNF extends BaseModule {
  /** The vector fields, one per block, in data → base order (owned by the flow; disposed with it). */
  readonly blocks: readonly CNFVectorField[];
  /** Data dimension (the `dim` shared by every block). */
  readonly dim: number;
  /** Integration time of each block. */
  readonly T: number;
  /** Trace computation in use (`'exact'` or `'hutchinson'`). */
  readonly trace: TraceEstimator;
  /** Hutchinson probe distribution (used only when `trace` is `'hutchinson'`). */
  readonly noise: ProbeNoise;
  /** Counters of the last forward/logProb/sample/trainStep. */
  stats: CNFStats = { nfeForward: 0, nfeBackward: 0, steps: 0 };
  private readonly o: CNFOptions;
  private seed: number;
  private calls = 0;

  constructor(options: CNFOptions) {
    super();
    const blocks = Array.isArray(options.field) ? [...(options.field as readonly CNFVectorField[])] : [options.field as CNFVectorField];
    if (blocks.length === 0) throw new InvalidArgumentError('field', 'needs at least one vector field.');
    const dim = (blocks[0] as CNFVectorField).dim;
    if (blocks.some((b) => b.dim !== dim))
      throw new ShapeError('field', `all blocks must have the same dim (got ${blocks.map((b) => b.dim)}).`);
    const T = options.T ?? 1;
    if (!(T > 0 && Number.isFinite(T))) throw new InvalidArgumentError('T', `must be a positive number (got ${T}).`);
    const reg = options.regularization ?? {};
    for (const [k, v] of Object.entries(reg)) {
      if (v !== undefined && !(v >= 0)) throw new InvalidArgumentError(`regularization.${k}`, `must be ≥ 0 (got ${v}).`);
    }
    this.blocks = blocks;
    this.dim = dim;
    this.T = T;
    this.trace = options.trace ?? (dim <= 8 ? 'exact' : 'hutchinson');
    this.noise = options.noise ?? 'rademacher';
    this.o = options;
    this.seed = options.seed ?? 0;
  }

  /** The blocks' variables, prefixed `blocks.<i>.`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters(Object.fromEntries(this.blocks.map((b, i) => [`blocks.${i}`, b])));
  }

  private get regularised(): boolean {
    const r = this.o.regularization ?? {};
    return (r.kinetic ?? 0) > 0 || (r.jacobianFrobenius ?? 0) > 0;
  }

  private solveBlock(
    field: CNFVectorField,
    y0: Record<string, tf.Tensor>,
    t0: number,
    t1: number,
  ): { y: Record<string, tf.Tensor>; stats: SolveStats } {
    const b = (y0.z as tf.Tensor).shape[0] as number;
    const eps = this.trace === 'hutchinson' ? probe([b, this.dim], this.noise, this.seed++) : undefined;
    const reg = this.regularised;
    const vf = (t: number, y: Tree): Tree => {
      this.calls++;
      const s = y as Record<string, tf.Tensor>;
      const { f, div, jacFrob } = divergence(field, t, s.z as tf.Tensor, this.trace, eps);
      const out: Record<string, tf.Tensor> = { z: f, logp: tf.neg(div) };
      if (reg) {
        out.ke = tf.sum(tf.square(f), 1);
        out.jf = jacFrob;
      } else jacFrob.dispose();
      return out;
    };
    const solverName = this.o.solver ?? 'dopri5';
    const fixed = this.o.dt !== undefined;
    try {
      const sol = solve({
        terms: new ODETerm(vf),
        solver: solverName,
        t0,
        t1,
        y0,
        ...(fixed
          ? { dt0: (this.o.dt as number) * Math.sign(t1 - t0), stepSizeController: new ConstantStepSize() }
          : { stepSizeController: new PIDController({ rtol: this.o.rtol ?? 1e-5, atol: this.o.atol ?? 1e-5 }) }),
        ...(this.o.adjoint ? { adjoint: this.o.adjoint } : {}),
        maxSteps: this.o.maxSteps ?? 4096,
        saveAt: { t1: true },
      });
      const ys = sol.ys as Record<string, tf.Tensor>;
      const y = Object.fromEntries(Object.entries(ys).map(([k, v]) => [k, tf.squeeze(v, [0])]));
      const stats = { ...sol.stats };
      sol.dispose();
      return { y, stats };
    } finally {
      eps?.dispose();
    }
  }

  /**
   * Transport `x` through every block, forward (data → base, t: 0 → T) or `reverse` (base → data).
   * Tensors of the result belong to the caller. Updates `stats.nfeForward`.
   */
  forward(x: tf.Tensor, reverse = false): CNFFlowResult {
    if (x.rank !== 2 || x.shape[1] !== this.dim) throw new ShapeError('x', `expected [batch, ${this.dim}], got [${x.shape}].`);
    const b = x.shape[0] as number;
    const stats: CNFStats = { nfeForward: 0, nfeBackward: 0, steps: 0 };
    const reg = this.regularised;
    let y: Record<string, tf.Tensor> = { z: x.clone(), logp: tf.zeros([b]), ...(reg ? { ke: tf.zeros([b]), jf: tf.zeros([b]) } : {}) };
    const order = reverse ? [...this.blocks].reverse() : this.blocks;
    for (const field of order) {
      const next = this.solveBlock(field, y, reverse ? this.T : 0, reverse ? 0 : this.T);
      Object.values(y).forEach((t) => t.dispose());
      y = next.y;
      stats.nfeForward += next.stats.nfe;
      stats.steps += next.stats.steps;
    }
    this.stats = stats;
    // Backward in time the integrals come out negated; report them as positive path integrals.
    const sign = reverse ? -1 : 1;
    const out = tf.tidy(() => ({
      z: y.z as tf.Tensor2D,
      deltaLogp: tf.mul(sign, y.logp as tf.Tensor) as tf.Tensor1D,
      kinetic: (reg ? tf.mul(sign, y.ke as tf.Tensor) : tf.zeros([b])) as tf.Tensor1D,
      jacobianFrobenius: (reg ? tf.mul(sign, y.jf as tf.Tensor) : tf.zeros([b])) as tf.Tensor1D,
    }));
    Object.entries(y).forEach(([k, t]) => k !== 'z' && t.dispose());
    return out;
  }

  /**
   * log p(x) in nats for `x: [batch, dim]` → `[batch]` (caller disposes).
   * With Hutchinson's trace this is an unbiased estimate.
   */
  logProb(x: tf.Tensor): tf.Tensor1D {
    const r = this.forward(x);
    const lp = tf.tidy(() => tf.sub(standardNormalLogProb(r.z), r.deltaLogp) as tf.Tensor1D);
    tf.dispose([r.z, r.deltaLogp, r.kinetic, r.jacobianFrobenius]);
    return lp;
  }

  /**
   * Training loss: mean negative log-likelihood plus the weighted RNODE terms (a scalar, caller disposes).
   */
  loss(x: tf.Tensor): tf.Scalar {
    const r = this.forward(x);
    const reg = this.o.regularization ?? {};
    const l = tf.tidy(() => {
      let total = tf.neg(tf.mean(tf.sub(standardNormalLogProb(r.z), r.deltaLogp)));
      if ((reg.kinetic ?? 0) > 0) total = tf.add(total, tf.mul(reg.kinetic as number, tf.mean(r.kinetic)));
      if ((reg.jacobianFrobenius ?? 0) > 0) total = tf.add(total, tf.mul(reg.jacobianFrobenius as number, tf.mean(r.jacobianFrobenius)));
      return total as tf.Scalar;
    });
    tf.dispose([r.z, r.deltaLogp, r.kinetic, r.jacobianFrobenius]);
    return l;
  }

  /**
   * One optimiser step on `loss(x)`; returns the loss value. Sets `stats.nfeForward` and
   * `stats.nfeBackward` (vector-field calls made during the gradient computation: the adjoint's
   * backward solves; 0 for direct backprop through the solver's operations).
   */
  trainStep(optimizer: tf.Optimizer, x: tf.Tensor): number {
    const before = this.calls;
    const cost = optimizer.minimize(() => this.loss(x), true, this.parameters());
    const forwardCalls = this.stats.nfeForward;
    const total = this.calls - before;
    const value = (cost as tf.Scalar).dataSync()[0] as number;
    cost?.dispose();
    // Vector-field calls beyond the forward solves' NFE were made by the gradient computation.
    this.stats = { ...this.stats, nfeBackward: Math.max(0, total - forwardCalls) };
    return value;
  }

  /**
   * Draw `n` samples: z ~ N(0, I) transported base → data. Returns the samples and their
   * model log-density (change of variables along the same path). Caller disposes both.
   */
  sample(n: number, seed?: number): { x: tf.Tensor2D; logProb: tf.Tensor1D } {
    assertPositiveInteger('n', n);
    const z = tf.randomNormal([n, this.dim], 0, 1, 'float32', seed ?? this.seed++);
    const lpz = standardNormalLogProb(z);
    const r = this.forward(z, true);
    // `forward(…, true)` reports Δ as the data→base path integral, so log p(x) = log N(z) − Δ as in logProb.
    const logProb = tf.tidy(() => tf.sub(lpz, r.deltaLogp) as tf.Tensor1D);
    tf.dispose([z, lpz, r.deltaLogp, r.kinetic, r.jacobianFrobenius]);
    return { x: r.z, logProb };
  }
}
