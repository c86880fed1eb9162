/**
 * The one implicit Runge–Kutta stepper: any ESDIRK tableau (`tableaus.ts`), simplified Newton on
 * every implicit stage, Jacobian by autodiff / finite differences / the user, LU with partial
 * pivoting in float64 on the host. Runs on cpu and wasm, where reading a tensor is free.
 *
 * Newton (Hairer & Wanner, Solving ODEs II, IV.8): the matrix I − hγJ is factored once per step
 * size and reused by every stage; iterations stop when the estimated remaining error η‖Δ‖ (η =
 * θ/(1 − θ), θ the contraction rate) is below κ in the controller's scaled norm (constant steps: rtol
 * 1e-7, atol 1e-9, below float32 resolution), and fail when θ ≥ 1 or the iteration limit is reached. A failure with an old Jacobian
 * recomputes it and retries the step once; a failure with a fresh one reports the step `'failed'`,
 * and the controller shrinks it. The Jacobian is kept across steps until Newton converges slowly.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnsupportedError, isTensor, tapeOn, treeDispose, type Tree } from '@nde/core';
import { hermiteWeights } from '../interpolation.js';
import type { Solver, StepResult, StepTolerances } from '../solver.js';
import type { ODETerm } from '../terms.js';
import { jacobian, systemShape, type JacobianOptions } from './jacobian.js';
import { BlockLU } from './lu.js';
import type { EsdirkTableau } from './tableaus.js';

/** Options of the implicit solvers. */
export interface ImplicitOptions {
  /** Where the Jacobian comes from and its block structure (default autodiff, dense). */
  readonly jacobian?: JacobianOptions;
  /** Newton iterations per stage before the step is given up (default 10). */
  readonly maxNewtonIterations?: number;
  /** Newton stops when its estimated remaining error is below κ in the scaled norm (default 0.05; Hairer suggests 0.01–0.1). */
  readonly newtonKappa?: number;
  /**
   * A contraction rate above this recomputes the Jacobian at the next step (default 0.001, as
   * Hairer's RADAU5: nearly every step unless Newton converged at once).
   */
  readonly jacobianRecomputeRate?: number;
  /**
   * Pass the error estimate through (I − hγJ)⁻¹ (default true), as OrdinaryDiffEq.jl's `smooth_est`
   * and Hairer's RADAU5: the raw estimate overstates the error of stiff components, which the
   * method damps, and forces needless rejections.
   */
  readonly smoothErrorEstimate?: boolean;
  /** Not supported: mass matrices (DAEs). Passing one throws an `UnsupportedError` that says what to do. */
  readonly massMatrix?: unknown;
}

/** Jacobian and factorisation shared by a step and its retries (a rejected step keeps the older state). */
interface NewtonCache {
  /** Time and state the Jacobian was computed at. */
  jAt?: { t: number; y: Float64Array };
  J?: Float64Array;
  /** The factorisation of I − hγJ and the hγ it is for. */
  lu?: BlockLU;
  luFor?: number;
  /** Recompute the Jacobian before the next step (Newton converged slowly). */
  stale: boolean;
  /** The last contraction estimate η = θ/(1 − θ), to judge a first iteration (Hairer's η₀ = η^0.8). */
  eta?: number;
}

/** The implicit stepper's state: host values only (no tensors). */
export interface ImplicitState {
  /** f(t0, y0) for the next step (the last stage of the previous one: FSAL). */
  readonly fsal?: Float64Array;
  /** @internal */
  readonly cache: NewtonCache;
}

/** What a step's Newton iterations cost. */
interface Work {
  nfe: number;
  jacobians: number;
  factorizations: number;
  newtonIterations: number;
}

/**
 * An ESDIRK method (Kværnø 3/4/5) for stiff ODEs.
 *
 * @example
 * ```ts
 * solve({ terms: new ODETerm(robertson), solver: 'kvaerno5', t0: 0, t1: 1e5, y0,
 *         stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-10 }) });
 * new ImplicitRK(kvaerno5, { jacobian: { structure: 'blockDiagonal' } }); // a batch of independent samples
 * ```
 */
export class ImplicitRK implements Solver<ODETerm, ImplicitState> {
  /** The method name (the tableau's). */
  readonly name: string;
  /** Order of the solution. */
  readonly order: number;
  /** Order of the embedded error estimate. */
  readonly errorOrder: number;
  readonly termKind = 'ode' as const;
  private readonly jac: Required<JacobianOptions>;
  private readonly maxIter: number;
  private readonly kappa: number;
  private readonly recomputeRate: number;
  private readonly smooth: boolean;

  /**
   * @param tableau - the ESDIRK coefficients
   * @param options - Jacobian, Newton settings
   */
  constructor(
    /** The coefficients driving the steps. */
    readonly tableau: EsdirkTableau,
    options: ImplicitOptions = {},
  ) {
    if (options.massMatrix !== undefined) {
      throw new UnsupportedError(
        'massMatrix',
        'mass matrices (and so DAEs) are not supported by the implicit solvers yet.',
        'Solve M y′ = f for y′ yourself when M is constant and invertible (y′ = M⁻¹ f), or reformulate the DAE as an ODE.',
      );
    }
    this.name = tableau.name;
    this.order = tableau.order;
    this.errorOrder = tableau.errorOrder;
    this.jac = { structure: options.jacobian?.structure ?? 'dense', source: options.jacobian?.source ?? 'autodiff' };
    this.maxIter = options.maxNewtonIterations ?? 10;
    this.kappa = options.newtonKappa ?? 0.05;
    this.recomputeRate = options.jacobianRecomputeRate ?? 1e-3;
    this.smooth = options.smoothErrorEstimate ?? true;
    if (!(Number.isInteger(this.maxIter) && this.maxIter > 0))
      throw new InvalidArgumentError('maxNewtonIterations', `must be a positive integer (got ${this.maxIter}).`);
    if (!(this.kappa > 0 && this.kappa < 1)) throw new InvalidArgumentError('newtonKappa', `must be in (0, 1) (got ${this.kappa}).`);
  }

  validate(terms: ODETerm): void {
    if (!terms || (terms as { kind?: unknown }).kind !== 'ode' || typeof (terms as ODETerm).evaluate !== 'function') {
      throw new InvalidArgumentError(
        'terms',
        `'${this.name}' solves an ODETerm.`,
        'Wrap the vector field: new ODETerm((t, y, args) => …).',
      );
    }
    const backend = tf.getBackend();
    if (backend === 'webgpu' || backend === 'webgl') {
      throw new UnsupportedError(
        'solver',
        `'${this.name}' factors its Newton matrices on the host, which stalls ${backend} at every iteration.`,
        "Run implicit solvers on the 'cpu' or 'wasm' backend (a batched on-device LU is planned).",
      );
    }
  }

  init(_terms: ODETerm, _t0: number, y0: Tree, _args: unknown, f0?: Tree): ImplicitState {
    // f(t0, y0) from the first-step choice becomes the first stage (and the tensor is released).
    const fsal = isTensor(f0) ? Float64Array.from(f0.dataSync()) : undefined;
    treeDispose(f0);
    if (!isTensor(y0)) {
      throw new UnsupportedError(
        'y0',
        `'${this.name}' takes one tensor as its state.`,
        'Concatenate the parts of the state into one tensor.',
      );
    }
    systemShape(y0.shape, this.jac.structure);
    if (tapeOn()) {
      throw new UnsupportedError(
        'adjoint',
        `gradients through '${this.name}' are not implemented yet (its Newton iterations run on the host).`,
        'Solve stiff problems without recording gradients, or use an explicit method for the gradient pass.',
      );
    }
    return { cache: { stale: false }, ...(fsal ? { fsal } : {}) };
  }

  disposeState(): void {}

  evalDerivative(terms: ODETerm, t: number, y: Tree, args: unknown): Tree {
    return terms.evaluate(t, y, args);
  }

  step(
    terms: ODETerm,
    t0: number,
    t1: number,
    y0T: Tree,
    args: unknown,
    state: ImplicitState,
    opts: { madeJump: boolean; needsDense: boolean; tolerances?: StepTolerances },
  ): StepResult<ImplicitState> {
    const yT = y0T as tf.Tensor;
    const shape = yT.shape;
    const y0 = Float64Array.from(yT.dataSync());
    const work: Work = { nfe: 0, jacobians: 0, factorizations: 0, newtonIterations: 0 };
    const f = (t: number, y: Float64Array): Float64Array => {
      const x = tf.tensor(Float32Array.from(y), shape);
      const out = tf.tidy(() => terms.evaluate(t, x, args) as tf.Tensor);
      const v = Float64Array.from(out.dataSync());
      tf.dispose([x, out]);
      work.nfe++;
      return v;
    };
    const fOnTensor = (t: number, y: tf.Tensor): tf.Tensor => terms.evaluate(t, y, args) as tf.Tensor;
    const k0 = state.fsal && !opts.madeJump ? state.fsal : f(t0, y0);
    const cache = state.cache;
    const tol = numericTolerances(opts.tolerances);
    const scale = Float64Array.from(y0, (v) => tol.atol + tol.rtol * Math.abs(v));
    const { blocks, n } = systemShape(shape, this.jac.structure);
    const h = t1 - t0;
    const hg = h * this.tableau.gamma;

    const freshJacobian = (): void => {
      cache.J = jacobian(fOnTensor, t0, y0, shape, args, this.jac, k0).J;
      cache.jAt = { t: t0, y: y0 };
      cache.lu = undefined;
      cache.stale = false;
      work.jacobians++;
    };
    const isFresh = (): boolean => cache.jAt !== undefined && cache.jAt.t === t0 && sameArray(cache.jAt.y, y0);
    if (!cache.J || cache.stale) freshJacobian();

    let attempt = this.stages(f, t0, h, y0, k0, scale, blocks, n, hg, cache, work, isFresh());
    if (attempt.status === 'failed' && !isFresh()) {
      freshJacobian();
      attempt = this.stages(f, t0, h, y0, k0, scale, blocks, n, hg, cache, work, true);
    }
    const nextState: ImplicitState = { cache, ...(attempt.status === 'success' ? { fsal: attempt.kLast } : {}) };
    const counts = { jacobians: work.jacobians, factorizations: work.factorizations, newtonIterations: work.newtonIterations };
    if (attempt.status === 'failed') {
      return { status: 'failed', y1: tf.clone(yT), state: { cache }, nfe: work.nfe, counts };
    }
    if (attempt.maxRate > this.recomputeRate) cache.stale = true;
    const { y1, yError, kLast } = attempt;
    const y1T = tf.tensor(Float32Array.from(y1), shape);
    const out: StepResult<ImplicitState> = {
      y1: y1T,
      yError: tf.tensor(Float32Array.from(yError), shape),
      state: nextState,
      nfe: work.nfe,
      counts,
    };
    if (opts.needsDense) {
      // Cubic Hermite from the end values and slopes (the stages are not a continuous extension).
      const dy = Float32Array.from(y1, (v, i) => v - (y0[i] as number));
      return {
        ...out,
        interp: {
          vectors: [tf.tensor(dy, shape), tf.tensor(Float32Array.from(k0), shape), tf.tensor(Float32Array.from(kLast), shape)],
          weights: hermiteWeights(h),
        },
      };
    }
    return out;
  }

  /**
   * All stages of one step with the current Jacobian; 'failed' when a Newton iteration does not converge.
   * `freshJ`: the Jacobian was computed at this step's start.
   */
  private stages(
    f: (t: number, y: Float64Array) => Float64Array,
    t0: number,
    h: number,
    y0: Float64Array,
    k0: Float64Array,
    scale: Float64Array,
    blocks: number,
    n: number,
    hg: number,
    cache: NewtonCache,
    work: Work,
    freshJ: boolean,
  ): { status: 'success'; y1: Float64Array; yError: Float64Array; kLast: Float64Array; maxRate: number } | { status: 'failed' } {
    const T = this.tableau;
    const N = y0.length;
    if (!cache.lu || cache.luFor !== hg) {
      const J = cache.J as Float64Array;
      const M = new Float64Array(J.length);
      for (let b = 0; b < blocks; b++) {
        const o = b * n * n;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M[o + i * n + j] = (i === j ? 1 : 0) - hg * (J[o + i * n + j] as number);
      }
      cache.lu = BlockLU.factor(M, n, blocks);
      cache.luFor = hg;
      work.factorizations++;
      if (!cache.lu) return { status: 'failed' };
    }
    const lu = cache.lu;
    const ks: Float64Array[] = [k0];
    let z = y0;
    let maxRate = 0;
    for (let i = 1; i < T.c.length; i++) {
      const ti = t0 + (T.c[i] as number) * h;
      const base = combine(y0, h, T.a[i] as readonly number[], ks);
      z = combine(y0, h, T.predictor[i] as readonly number[], ks);
      let prevNorm = Infinity;
      let converged = false;
      for (let it = 0; it < this.maxIter; it++) {
        const fz = f(ti, z);
        work.newtonIterations++;
        const delta = new Float64Array(N);
        for (let k = 0; k < N; k++) delta[k] = -((z[k] as number) - (base[k] as number) - hg * (fz[k] as number));
        lu.solve(delta);
        let sq = 0;
        for (let k = 0; k < N; k++) {
          z[k] = (z[k] as number) + (delta[k] as number);
          const r = (delta[k] as number) / (scale[k] as number);
          sq += r * r;
        }
        const norm = Math.sqrt(sq / N);
        if (!Number.isFinite(norm)) return { status: 'failed' };
        if (it > 0) {
          const rate = norm / prevNorm;
          if (rate >= 1) return { status: 'failed' };
          maxRate = Math.max(maxRate, rate);
          const eta = rate / (1 - rate);
          cache.eta = eta;
          if (eta * norm <= this.kappa) {
            converged = true;
            break;
          }
        } else if (freshJ && Math.max(cache.eta ?? 1, 1e-16) ** 0.8 * norm <= this.kappa) {
          // One iteration suffices when the previous contraction says so — trusted only with a
          // Jacobian from this step: an old one may contract far worse than last time.
          converged = true;
          break;
        }
        prevNorm = norm;
      }
      if (!converged) return { status: 'failed' };
      // k_i from the stage equation itself, (z − base)/(hγ): at convergence it is f(t_i, z), and
      // it does not amplify the Newton residual by the stiffness.
      const k = new Float64Array(N);
      for (let m = 0; m < N; m++) k[m] = ((z[m] as number) - (base[m] as number)) / hg;
      ks.push(k);
    }
    const yError = combine(new Float64Array(N), h, T.bError, ks);
    if (this.smooth) lu.solve(yError);
    return { status: 'success', y1: z, yError, kLast: ks[ks.length - 1] as Float64Array, maxRate };
  }
}

/** y + h Σ_j w_j k_j (a new array). */
function combine(y: Float64Array, h: number, w: readonly number[], ks: readonly Float64Array[]): Float64Array {
  const out = Float64Array.from(y);
  w.forEach((wj, j) => {
    if (wj === 0) return;
    const k = ks[j] as Float64Array;
    const c = h * wj;
    for (let m = 0; m < out.length; m++) out[m] = (out[m] as number) + c * (k[m] as number);
  });
  return out;
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Newton's scaled norm needs numbers: per-component tolerance trees fall back to their smallest entry. */
function numericTolerances(t: StepTolerances | undefined): { rtol: number; atol: number } {
  const pick = (v: StepTolerances['rtol'] | undefined, d: number): number => {
    if (typeof v === 'number') return v;
    if (v === undefined) return d;
    const leaves = isTensor(v) ? [v] : Object.values(v as Record<string, tf.Tensor>).filter(isTensor);
    const mins = leaves.map((x) => tf.tidy(() => tf.min(x).dataSync()[0] as number));
    return mins.length ? Math.min(...mins) : d;
  };
  return { rtol: pick(t?.rtol, 1e-7), atol: pick(t?.atol, 1e-9) };
}
