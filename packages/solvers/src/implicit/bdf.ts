/**
 * BDF of variable order 1–5 with variable steps: the numerical differentiation formulas (NDF) of
 * Shampine & Reichelt (1997, "The MATLAB ODE suite", SIAM J. Sci. Comput. 18(1)) in the
 * backward-difference form MATLAB's ode15s and scipy's `BDF` use. The history is an array of
 * backward differences D (in float64 on the host); a change of step size rescales it by the
 * interpolation matrices R(ρ)·U, so any step the controller proposes can be taken.
 *
 * Division of labour with the loop: the step-size controller chooses h (from the error estimate
 * C_{k+1}·∇^{k+1}y, whose order k+1 the step reports, `errorOrder`, so the controller's exponent
 * follows the order); the solver chooses the order, as ode15s does: after k + 1 steps at one order
 * it compares the error estimates of orders k − 1, k and k + 1 and moves to the one that allows the
 * largest step.
 *
 * Gradients: under a tape the history is also a tensor, and each step is one op from the old history
 * to the new one. Everything in a step is linear in the history except the corrector, which is
 * differentiated by the implicit function theorem at the converged point (the exact Jacobian there),
 * so gradients reach y0 through the whole history, never through Newton's iterations.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, tidyTree, treeDispose, treeSub, type Tree } from '@nde/core';
import type { Solver, StepResult, StepTolerances } from '../solver.js';
import type { ODETerm } from '../terms.js';
import { jacobian, systemShape, type JacobianOptions } from './jacobian.js';
import { assertHostBackend, assertNoMassMatrix } from './checks.js';
import { HostBackward, axpy, gradientInputs, hostStepOp, thetasOf, type Differentiated } from './ift.js';
import { HostLayout } from './layout.js';
import {
  ensureFactorization,
  hostField,
  newtonSolve,
  numericTolerances,
  sameArray,
  validateNewton,
  type NewtonCache,
  type NewtonSettings,
  type NewtonWork,
} from './newton.js';

const MAX_ORDER = 5;
/** Rows of the difference history: ∇^0 … ∇^{MAX_ORDER+2}. */
const HISTORY_ROWS = MAX_ORDER + 3;
// NDF coefficients κ_k (Shampine & Reichelt, Table 1); κ = 0 gives the classical BDF.
const NDF_KAPPA = [0, -0.185, -1 / 9, -0.0823, -0.0415, 0];
const GAMMA = NDF_KAPPA.map((_, k) => {
  let s = 0;
  for (let j = 1; j <= k; j++) s += 1 / j;
  return s;
});

/** Options of {@link BDF}. */
export interface BdfOptions {
  /** Where the Jacobian comes from and its block structure (default autodiff, dense). */
  readonly jacobian?: JacobianOptions;
  /** Highest order (1–5, default 5). */
  readonly maxOrder?: number;
  /** Use the NDF modification (default true, as ode15s and scipy); false gives the classical BDF. */
  readonly ndf?: boolean;
  /** Newton iterations per step before it is given up (default 4, as scipy). */
  readonly maxNewtonIterations?: number;
  /** Newton stops when its estimated remaining error is below κ in the scaled norm (default scipy's max(10ε/rtol, min(0.03, √rtol))). */
  readonly newtonKappa?: number;
  /** Not supported: mass matrices (DAEs). */
  readonly massMatrix?: unknown;
}

/** The BDF state: the difference history, order and step it is scaled for (host values only). */
export interface BdfState {
  /** @internal Backward differences D[0..order+2], each of the state's size. */
  readonly D?: readonly Float64Array[];
  /** Current order (1–5). */
  readonly order: number;
  /** The step size D is scaled for. */
  readonly h?: number;
  /** Accepted steps since the order last changed. */
  readonly stepsAtOrder: number;
  /** @internal f(t0, y0) from the first-step choice. */
  readonly f0?: Float64Array;
  /** @internal */
  readonly cache: NewtonCache;
  /** @internal Variables and args tensors the field uses (only under a gradient tape). */
  readonly grad?: Differentiated;
  /** @internal Under a tape: D as one differentiable 1-D tensor (row-major, HISTORY_ROWS rows). */
  readonly history?: tf.Tensor;
}

/** What the backward pass of a BDF step needs from its forward pass. */
interface BdfRecord {
  readonly order: number;
  /** The rescaling R(ρ)·U applied to rows 0..order (undefined: none). */
  readonly RU?: Float64Array;
  readonly alpha: number;
  /** The corrector's coefficient h/α and where it converged. */
  readonly c: number;
  readonly t1: number;
  readonly y1: Float64Array;
}

/** R(ρ) of Shampine & Reichelt: the matrix that re-expresses differences for a step ratio ρ. */
function rescaleMatrix(order: number, factor: number): Float64Array {
  const m = order + 1;
  const M = new Float64Array(m * m);
  for (let j = 0; j < m; j++) M[j] = 1;
  for (let i = 1; i < m; i++) for (let j = 1; j < m; j++) M[i * m + j] = (i - 1 - factor * j) / i;
  // Cumulative product down the rows.
  for (let i = 1; i < m; i++) for (let j = 0; j < m; j++) M[i * m + j] = (M[i * m + j] as number) * (M[(i - 1) * m + j] as number);
  return M;
}

/** D[0..order] ← (R(ρ)·U)ᵀ D[0..order]: the history for a step ρ times the old one. Returns R(ρ)·U. */
function rescaleHistory(D: Float64Array[], order: number, factor: number): Float64Array {
  const m = order + 1;
  const R = rescaleMatrix(order, factor);
  const U = rescaleMatrix(order, 1);
  const RU = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += (R[i * m + k] as number) * (U[k * m + j] as number);
      RU[i * m + j] = s;
    }
  const N = (D[0] as Float64Array).length;
  const old = D.slice(0, m).map((d) => Float64Array.from(d));
  for (let j = 0; j < m; j++) {
    const out = new Float64Array(N);
    for (let i = 0; i < m; i++) {
      const c = RU[i * m + j] as number;
      if (c === 0) continue;
      const d = old[i] as Float64Array;
      for (let q = 0; q < N; q++) out[q] = (out[q] as number) + c * (d[q] as number);
    }
    D[j] = out;
  }
  return RU;
}

/**
 * The old history's cotangent (flat) from the new one's, for one step (θ̄ accumulates in `pass`).
 * Forward: D′ = rescaled D; y_pred = Σ_{j≤k} D′_j, ψ = Σ_{1≤j≤k} (γ_j/α) D′_j; d solves
 * d − c f(t1, y_pred + d) + ψ = 0; then Dn_{k+2} = d − D′_{k+1}, Dn_{k+1} = d, Dn_i = D′_i + Dn_{i+1} (i ≤ k).
 */
function bdfBackward(dnBar: Float64Array, r: BdfRecord, pass: HostBackward): Float64Array {
  const N = r.y1.length;
  const k = r.order;
  const row = (x: Float64Array, i: number): Float64Array => x.subarray(i * N, (i + 1) * N);
  const nBar = Float64Array.from(dnBar);
  const pBar = new Float64Array(HISTORY_ROWS * N); // D′'s cotangent
  for (let i = 0; i <= k; i++) {
    axpy(row(pBar, i), 1, row(nBar, i));
    axpy(row(nBar, i + 1), 1, row(nBar, i));
  }
  const dBar = Float64Array.from(row(nBar, k + 1));
  axpy(dBar, 1, row(nBar, k + 2));
  axpy(row(pBar, k + 1), -1, row(nBar, k + 2));
  for (let i = k + 3; i < HISTORY_ROWS; i++) row(pBar, i).set(row(nBar, i));
  // The corrector by the implicit function theorem: μ = (I − cJ)⁻ᵀ d̄, ȳ_pred = c Jᵀ μ, θ̄ += c f_θᵀ μ, ψ̄ = −μ.
  const mu = pass.solveTransposed(r.t1, r.y1, r.c, dBar);
  const predBar = pass.vjp(
    r.t1,
    r.y1,
    Float64Array.from(mu, (v) => r.c * v),
  );
  for (let j = 0; j <= k; j++) axpy(row(pBar, j), 1, predBar);
  for (let j = 1; j <= k; j++) axpy(row(pBar, j), -(GAMMA[j] as number) / r.alpha, mu);
  if (!r.RU) return pBar;
  // D′_j = Σ_i RU[i, j] D_i for rows 0..k: D̄_i = Σ_j RU[i, j] D̄′_j.
  const m = k + 1;
  const out = Float64Array.from(pBar);
  for (let i = 0; i < m; i++) {
    const o = row(out, i);
    o.fill(0);
    for (let j = 0; j < m; j++) axpy(o, r.RU[i * m + j] as number, row(pBar, j));
  }
  return out;
}

function rms(x: Float64Array, scale: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const r = (x[i] as number) / (scale[i] as number);
    s += r * r;
  }
  return Math.sqrt(s / x.length);
}

/**
 * Variable-order (1–5), variable-step BDF/NDF for stiff ODEs: the workhorse of scipy's `BDF`,
 * MATLAB's ode15s and CVODE. Use with an adaptive controller (the default `PIDController`).
 *
 * @example
 * ```ts
 * solve({ terms: new ODETerm(robertson), solver: 'bdf', t0: 0, t1: 1e5, y0,
 *         stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-10 }) });
 * ```
 */
export class BDF implements Solver<ODETerm, BdfState> {
  readonly name = 'bdf';
  /** The highest order it may use. */
  readonly order: number;
  /** The error estimate's order at order 1 (each step reports its own, `StepResult.errorOrder`). */
  readonly errorOrder = 1;
  readonly termKind = 'ode' as const;
  /** Its steps read the difference history, not y alone. */
  readonly multistep = true;
  private readonly jac: Required<JacobianOptions>;
  private readonly newton: NewtonSettings;
  private readonly kappaGiven: boolean;
  private readonly kappa: readonly number[];
  private readonly alpha: readonly number[];
  private readonly errorConst: readonly number[];

  /** @param options - Jacobian, highest order, NDF or BDF, Newton settings */
  constructor(options: BdfOptions = {}) {
    assertNoMassMatrix(options.massMatrix);
    this.order = options.maxOrder ?? MAX_ORDER;
    if (!(Number.isInteger(this.order) && this.order >= 1 && this.order <= MAX_ORDER))
      throw new InvalidArgumentError('maxOrder', `must be an integer from 1 to 5 (got ${options.maxOrder}).`);
    this.jac = { structure: options.jacobian?.structure ?? 'dense', source: options.jacobian?.source ?? 'autodiff' };
    this.newton = { maxIterations: options.maxNewtonIterations ?? 4, kappa: options.newtonKappa ?? 0.03 };
    validateNewton(this.newton);
    this.kappaGiven = options.newtonKappa !== undefined;
    this.kappa = options.ndf === false ? NDF_KAPPA.map(() => 0) : NDF_KAPPA;
    this.alpha = this.kappa.map((k, i) => (1 - k) * (GAMMA[i] as number));
    this.errorConst = this.kappa.map((k, i) => k * (GAMMA[i] as number) + 1 / (i + 1));
  }

  validate(terms: ODETerm): void {
    if (!terms || (terms as { kind?: unknown }).kind !== 'ode' || typeof (terms as ODETerm).evaluate !== 'function') {
      throw new InvalidArgumentError(
        'terms',
        `'${this.name}' solves an ODETerm.`,
        'Wrap the vector field: new ODETerm((t, y, args) => …).',
      );
    }
    assertHostBackend(this.name);
  }

  init(terms: ODETerm, t0: number, y0: Tree, args: unknown, f0?: Tree): BdfState {
    const layout = HostLayout.of(y0);
    const fHost = f0 ? layout.read(f0) : undefined;
    treeDispose(f0);
    systemShape(layout, this.jac.structure);
    const grad = gradientInputs(() => terms.evaluate(t0, y0, args), args);
    return { order: 1, stepsAtOrder: 0, cache: { stale: false }, ...(fHost ? { f0: fHost } : {}), ...(grad ? { grad } : {}) };
  }

  disposeState(state: BdfState | undefined): void {
    state?.history?.dispose();
  }

  evalDerivative(terms: ODETerm, t: number, y: Tree, args: unknown): Tree {
    return terms.evaluate(t, y, args);
  }

  step(
    terms: ODETerm,
    t0: number,
    t1: number,
    y0T: Tree,
    args: unknown,
    state: BdfState,
    opts: { madeJump: boolean; needsDense: boolean; tolerances?: StepTolerances },
  ): StepResult<BdfState> {
    const layout = HostLayout.of(y0T);
    const yLoop = layout.read(y0T);
    const work: NewtonWork = { nfe: 0, jacobians: 0, factorizations: 0, newtonIterations: 0 };
    const fOnTree = (t: number, y: Tree): Tree => terms.evaluate(t, y, args);
    const f = hostField(fOnTree, layout, work);
    const h = t1 - t0;
    const { blocks, n } = systemShape(layout, this.jac.structure);
    const tol = numericTolerances(opts.tolerances);
    const cache = state.cache;
    const newton: NewtonSettings = this.kappaGiven
      ? this.newton
      : { ...this.newton, kappa: Math.max((10 * Number.EPSILON) / tol.rtol, Math.min(0.03, Math.sqrt(tol.rtol))) };

    // The history, rescaled to this step (a copy: a rejected step leaves the state as it was). It
    // restarts at order 1 after a jump, or when the loop's state is not the history's (reset by an
    // adjoint, say).
    let D: Float64Array[];
    let order = state.order;
    let stepsAtOrder = state.stepsAtOrder;
    // Under a tape: the history before rescaling as a differentiable tensor (the op's input).
    let historyIn: tf.Tensor | undefined;
    let ownsHistoryIn = false;
    let RU: Float64Array | undefined;
    const restart =
      !state.D ||
      (state.grad && !state.history) ||
      opts.madeJump ||
      !sameArray(
        Float64Array.from(state.D[0] as Float64Array, (v) => Math.fround(v)),
        yLoop,
      );
    if (restart) {
      let f0: Float64Array;
      if (state.grad) {
        // D_0 = y0, D_1 = h f(t0, y0) on the tape, so the gradient reaches y0 and θ through them.
        const fT = tidyTree(() => fOnTree(t0, y0T));
        f0 = layout.read(fT);
        work.nfe++;
        historyIn = tf.tidy(() =>
          tf.concat([layout.flatten(y0T), tf.mul(layout.flatten(fT), h), tf.zeros([(HISTORY_ROWS - 2) * layout.size])]),
        );
        ownsHistoryIn = true;
        treeDispose(fT);
      } else f0 = state.f0 && !state.D ? state.f0 : f(t0, yLoop);
      D = [Float64Array.from(yLoop), Float64Array.from(f0, (v) => v * h)];
      for (let i = 2; i <= MAX_ORDER + 2; i++) D.push(new Float64Array(yLoop.length));
      order = 1;
      stepsAtOrder = 0;
    } else {
      D = (state.D as Float64Array[]).map((d) => Float64Array.from(d));
      if (h !== state.h) RU = rescaleHistory(D, order, h / (state.h as number));
      historyIn = state.history;
    }
    const y0 = D[0] as Float64Array;
    const N = y0.length;

    // Predict, then correct: y = y_pred + d with d solving d − c f(t1, y_pred + d) + ψ = 0.
    const yPred = new Float64Array(N);
    for (let j = 0; j <= order; j++) {
      const d = D[j] as Float64Array;
      for (let q = 0; q < N; q++) yPred[q] = (yPred[q] as number) + (d[q] as number);
    }
    const alpha = this.alpha[order] as number;
    const psi = new Float64Array(N);
    for (let j = 1; j <= order; j++) {
      const g = (GAMMA[j] as number) / alpha;
      const d = D[j] as Float64Array;
      for (let q = 0; q < N; q++) psi[q] = (psi[q] as number) + g * (d[q] as number);
    }
    const c = h / alpha;
    const base = new Float64Array(N);
    for (let q = 0; q < N; q++) base[q] = (yPred[q] as number) - (psi[q] as number);
    const scale = Float64Array.from(yPred, (v) => tol.atol + tol.rtol * Math.abs(v));

    const freshJacobian = (): void => {
      const fy = f(t1, yPred);
      cache.J = jacobian(fOnTree, t1, yPred, layout, args, this.jac, fy).J;
      cache.jAt = { t: t1, y: yPred };
      cache.lu = undefined;
      work.jacobians++;
    };
    // scipy's policy: the Jacobian is kept until Newton fails with it.
    let fresh = false;
    if (!cache.J) {
      freshJacobian();
      fresh = true;
    }
    const attempt = (): Float64Array | undefined => {
      if (!ensureFactorization(cache, c, blocks, n, work)) return undefined;
      const y = Float64Array.from(yPred);
      return newtonSolve(f, t1, y, base, c, scale, cache, newton, work, false) === undefined ? undefined : y;
    };
    let y1 = attempt();
    if (!y1 && !fresh) {
      freshJacobian();
      y1 = attempt();
    }
    const counts = { jacobians: work.jacobians, factorizations: work.factorizations, newtonIterations: work.newtonIterations };
    if (!y1) {
      if (ownsHistoryIn) historyIn?.dispose();
      // The loop disposes a failed step's state: it must not hold the current state's history.
      const { history: _kept, ...rest } = state;
      return { status: 'failed', y1: layout.tree(yLoop), state: { ...rest, cache }, nfe: work.nfe, counts };
    }

    const d = new Float64Array(N);
    for (let q = 0; q < N; q++) d[q] = (y1[q] as number) - (yPred[q] as number);
    const errC = this.errorConst[order] as number;
    const yError = Float64Array.from(d, (v) => errC * v);

    // The history after acceptance: ∇^{k+2} = d − ∇^{k+1}, ∇^{k+1} = d, then the lower differences.
    const Dn = D.map((x) => Float64Array.from(x));
    const dk1 = Dn[order + 1] as Float64Array;
    Dn[order + 2] = Float64Array.from(d, (v, q) => v - (dk1[q] as number));
    Dn[order + 1] = Float64Array.from(d);
    for (let i = order; i >= 0; i--) {
      const lo = Dn[i] as Float64Array;
      const hi = Dn[i + 1] as Float64Array;
      for (let q = 0; q < N; q++) lo[q] = (lo[q] as number) + (hi[q] as number);
    }
    // Order choice after k + 1 steps at this order: the neighbour whose error allows the largest step.
    let nextOrder = order;
    let nextStepsAtOrder = stepsAtOrder + 1;
    if (nextStepsAtOrder >= order + 1) {
      const scaleNew = Float64Array.from(y1, (v, q) => tol.atol + tol.rtol * Math.max(Math.abs(v), Math.abs(y0[q] as number)));
      const norm = (k: number, diff: Float64Array): number =>
        rms(
          Float64Array.from(diff, (v) => (this.errorConst[k] as number) * v),
          scaleNew,
        );
      const eK = norm(order, d);
      const eM = order > 1 ? norm(order - 1, Dn[order] as Float64Array) : Infinity;
      const eP = order < this.order ? norm(order + 1, Dn[order + 2] as Float64Array) : Infinity;
      const factor = (e: number, k: number): number => (e === 0 ? Infinity : e ** (-1 / (k + 1)));
      const options = [
        { k: order - 1, f: factor(eM, order - 1) },
        { k: order, f: factor(eK, order) },
        { k: order + 1, f: factor(eP, order + 1) },
      ];
      const best = options.reduce((a, b) => (b.f > a.f ? b : a));
      if (best.k !== order && best.f > 1.2 * (options[1] as { f: number }).f) {
        nextOrder = best.k;
        nextStepsAtOrder = 0;
      }
    }
    let history: tf.Tensor | undefined;
    if (state.grad && historyIn) {
      const record: BdfRecord = { order, ...(RU ? { RU } : {}), alpha, c, t1, y1 };
      const thetas = thetasOf(state.grad);
      const flat = new Float64Array(HISTORY_ROWS * N);
      Dn.forEach((row, i) => flat.set(row, i * N));
      history = hostStepOp(flat, [historyIn, ...thetas], (dnBar) => {
        const pass = new HostBackward(layout, thetas, fOnTree, this.jac, args);
        const dBar = bdfBackward(dnBar, record, pass);
        return [tf.tensor1d(Float32Array.from(dBar)), ...pass.takeThetaBar()];
      });
      if (ownsHistoryIn) historyIn.dispose();
    }
    const nextState: BdfState = {
      D: Dn,
      order: nextOrder,
      h,
      stepsAtOrder: nextStepsAtOrder,
      cache,
      ...(state.grad ? { grad: state.grad } : {}),
      ...(history ? { history } : {}),
    };
    const y1T = history ? layout.fromFlat(history) : layout.tree(y1);
    const out: StepResult<BdfState> = {
      y1: y1T,
      yError: layout.tree(yError),
      state: nextState,
      nfe: work.nfe,
      counts,
      errorOrder: order,
    };
    if (!opts.needsDense) return out;
    // The interpolating polynomial through the history: y(t0 + θh) = y0 + (y1 − y0) + Σ_{j≥1} w_j(θ) ∇^j y1,
    // w_j(θ) = Π_{m<j} (θ − 1 + m)/(m + 1). Under a tape its vectors are slices of the history.
    const vectors = history
      ? [treeSub(y1T, y0T), ...Dn.slice(1, order + 1).map((_, j) => layout.fromFlat(history, (j + 1) * N))]
      : [Float32Array.from(y1, (v, q) => v - (y0[q] as number)), ...Dn.slice(1, order + 1).map((x) => Float32Array.from(x))].map((v) =>
          layout.tree(v),
        );
    return {
      ...out,
      interp: {
        vectors,
        weights: (theta) => {
          const w = [1];
          let p = 1;
          for (let j = 1; j <= order; j++) {
            p *= (theta - 1 + (j - 1)) / j;
            w.push(p);
          }
          return w;
        },
      },
    };
  }
}
