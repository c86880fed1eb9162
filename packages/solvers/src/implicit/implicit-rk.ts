/**
 * The one implicit Runge–Kutta stepper: any ESDIRK tableau (`tableaus.ts`), simplified Newton on
 * every implicit stage, Jacobian by autodiff / finite differences / the user, LU with partial
 * pivoting in float64 on the host. Runs on cpu and wasm, where reading a tensor is free.
 *
 * Newton (Hairer & Wanner, Solving ODEs II, IV.8): the matrix I − hγJ is factored once per step
 * size and reused by every stage; iterations stop when the estimated remaining error η‖Δ‖ (η =
 * θ/(1 − θ), θ the contraction rate) is below κ in the controller's scaled norm (constant steps: rtol
 * 1e-6, atol 1e-9, near float32 resolution), and fail when θ ≥ 1 or the iteration limit is reached. A failure with an old Jacobian
 * recomputes it and retries the step once; a failure with a fresh one reports the step `'failed'`,
 * and the controller shrinks it. The Jacobian is kept across steps until Newton converges slowly.
 */
import { InvalidArgumentError, assertPositiveInteger, treeDispose, type Tree } from '@nde/core';
import { hermiteWeights } from '../interpolation.js';
import type { Solver, StepResult, StepTolerances } from '../solver.js';
import { MultiTerm, type ODETerm } from '../terms.js';
import { jacobian, systemShape, type JacobianOptions } from './jacobian.js';
import { differentiableStep, gradientInputs, tapedHermite, thetasOf, type Differentiated } from './ift.js';
import { assertHostBackend, assertNoMassMatrix, checkLinearAlgebra, onDevice } from './checks.js';
import { deviceImplicitRkStep } from './implicit-rk-device.js';
import { HostLayout } from './layout.js';
import { BlockLU } from './lu.js';
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
import type { ImexTableau } from './imex-tableaus.js';
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
  /**
   * Where the linear algebra and Newton run: `'host'` (float64 LU on the host; cpu and wasm) or
   * `'device'` (Jacobian, batched LU and Newton in tensor ops, no host read inside a step). Default:
   * `'device'` on webgl/webgpu, `'host'` elsewhere.
   */
  readonly linearAlgebra?: 'host' | 'device';
  /** Newton iterations per stage on the device, all of which run (default 5; there is no read to stop early). */
  readonly deviceNewtonIterations?: number;
  /** Not supported: mass matrices (DAEs). Passing one throws an `UnsupportedError` that says what to do. */
  readonly massMatrix?: unknown;
}

/** The implicit stepper's state: host values only (no tensors). */
export interface ImplicitState {
  /** f(t0, y0) for the next step (the last stage of the previous one: FSAL). */
  readonly fsal?: Float64Array;
  /** @internal */
  readonly cache: NewtonCache;
  /** @internal What steps are differentiated with respect to, when a gradient tape is recording. */
  readonly grad?: Differentiated;
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
export class ImplicitRK implements Solver<ODETerm | MultiTerm, ImplicitState> {
  /** The method name (the tableau's). */
  readonly name: string;
  /** Order of the solution. */
  readonly order: number;
  /** Order of the embedded error estimate. */
  readonly errorOrder: number;
  readonly termKind = 'ode' as const;
  private readonly jac: Required<JacobianOptions>;
  private readonly newton: NewtonSettings;
  private readonly recomputeRate: number;
  private readonly smooth: boolean;
  private readonly linearAlgebra: 'host' | 'device' | undefined;
  private readonly deviceIterations: number;
  /** The explicit part's coefficients and the weights, for an IMEX tableau. */
  private readonly imex: { readonly aExplicit: readonly (readonly number[])[]; readonly b: readonly number[] } | undefined;

  /**
   * @param tableau - the ESDIRK coefficients
   * @param options - Jacobian, Newton settings
   */
  constructor(
    /** The coefficients driving the steps. */
    readonly tableau: EsdirkTableau | ImexTableau,
    options: ImplicitOptions = {},
  ) {
    this.imex = 'aExplicit' in tableau ? { aExplicit: tableau.aExplicit, b: tableau.b } : undefined;
    assertNoMassMatrix(options.massMatrix);
    this.name = tableau.name;
    this.order = tableau.order;
    this.errorOrder = tableau.errorOrder;
    this.jac = { structure: options.jacobian?.structure ?? 'dense', source: options.jacobian?.source ?? 'autodiff' };
    this.newton = { maxIterations: options.maxNewtonIterations ?? 10, kappa: options.newtonKappa ?? 0.05 };
    this.recomputeRate = options.jacobianRecomputeRate ?? 1e-3;
    this.linearAlgebra = checkLinearAlgebra(options.linearAlgebra);
    this.deviceIterations = options.deviceNewtonIterations ?? 8;
    assertPositiveInteger('deviceNewtonIterations', this.deviceIterations);
    this.smooth = options.smoothErrorEstimate ?? true;
    validateNewton(this.newton);
  }

  validate(terms: ODETerm | MultiTerm): void {
    const kind = (terms as { kind?: unknown } | undefined)?.kind;
    if (this.imex && !(terms instanceof MultiTerm)) {
      throw new InvalidArgumentError(
        'terms',
        `'${this.name}' is an IMEX method: it takes a MultiTerm of an explicit and an implicit part.`,
        'Pass new MultiTerm(new ODETerm(nonStiff), new ODETerm(stiff)), or use kvaerno3/4/5 or bdf for a single ODETerm.',
      );
    }
    if (!this.imex && (kind !== 'ode' || typeof (terms as ODETerm).evaluate !== 'function')) {
      throw new InvalidArgumentError(
        'terms',
        `'${this.name}' solves an ODETerm.`,
        kind === 'multi' ? 'Use an IMEX method (kencarp3/4/5) for a MultiTerm.' : 'Wrap the vector field: new ODETerm((t, y, args) => …).',
      );
    }
    if (!onDevice(this.linearAlgebra)) assertHostBackend(this.name);
  }

  init(terms: ODETerm | MultiTerm, t0: number, y0: Tree, args: unknown, f0?: Tree): ImplicitState {
    // f(t0, y0) from the first-step choice becomes the first stage (and the tensor is released).
    const layout = HostLayout.of(y0);
    // (On the device nothing is read: each step evaluates its own first stage.)
    const fsal = f0 && !onDevice(this.linearAlgebra) ? layout.read(f0) : undefined;
    treeDispose(f0);
    systemShape(layout, this.jac.structure);
    // Under a gradient tape, steps are differentiated by the implicit function theorem, with respect
    // to y0, the variables the field uses and the tensors in args.
    const grad = gradientInputs(() => terms.evaluate(t0, y0, args), args);
    return { cache: { stale: false }, ...(fsal ? { fsal } : {}), ...(grad ? { grad } : {}) };
  }

  disposeState(): void {}

  evalDerivative(terms: ODETerm | MultiTerm, t: number, y: Tree, args: unknown): Tree {
    return terms.evaluate(t, y, args);
  }

  step(
    terms: ODETerm | MultiTerm,
    t0: number,
    t1: number,
    y0T: Tree,
    args: unknown,
    state: ImplicitState,
    opts: { madeJump: boolean; needsDense: boolean; tolerances?: StepTolerances },
  ): StepResult<ImplicitState> {
    const layout = HostLayout.of(y0T);
    if (onDevice(this.linearAlgebra)) return this.deviceStep(terms, t0, t1, y0T, args, state, opts, layout);
    const y0 = layout.read(y0T);
    const work: NewtonWork = { nfe: 0, jacobians: 0, factorizations: 0, newtonIterations: 0 };
    // The part Newton solves for (the whole field, or a MultiTerm's implicit part) and the explicit part.
    const implicitTerm = terms instanceof MultiTerm ? terms.implicit : terms;
    const fOnTree = (t: number, y: Tree): Tree => implicitTerm.evaluate(t, y, args);
    const f = hostField(fOnTree, layout, work);
    const fExplicit = terms instanceof MultiTerm ? hostField((t, y) => terms.explicit.evaluate(t, y, args), layout, work) : undefined;
    // FSAL holds for the stiffly accurate ESDIRK methods only (an IMEX step's last stage is not y1).
    const k0 = state.fsal && !opts.madeJump && !fExplicit ? state.fsal : f(t0, y0);
    const kE0 = fExplicit?.(t0, y0);
    const cache = state.cache;
    const tol = numericTolerances(opts.tolerances);
    const scale = Float64Array.from(y0, (v) => tol.atol + tol.rtol * Math.abs(v));
    const { blocks, n } = systemShape(layout, this.jac.structure);
    const h = t1 - t0;
    const hg = h * this.tableau.gamma;

    const freshJacobian = (): void => {
      cache.J = jacobian(fOnTree, t0, y0, layout, args, this.jac, k0).J;
      cache.jAt = { t: t0, y: y0 };
      cache.lu = undefined;
      cache.stale = false;
      work.jacobians++;
    };
    const isFresh = (): boolean => cache.jAt !== undefined && cache.jAt.t === t0 && sameArray(cache.jAt.y, y0);
    if (!cache.J || cache.stale) freshJacobian();

    let attempt = this.stages(f, fExplicit, t0, h, y0, k0, kE0, scale, blocks, n, hg, cache, work, isFresh());
    if (attempt.status === 'failed' && !isFresh()) {
      freshJacobian();
      attempt = this.stages(f, fExplicit, t0, h, y0, k0, kE0, scale, blocks, n, hg, cache, work, true);
    }
    const nextState: ImplicitState = {
      cache,
      ...(attempt.status === 'success' && !fExplicit ? { fsal: attempt.kLast } : {}),
      ...(state.grad ? { grad: state.grad } : {}),
    };
    const counts = { jacobians: work.jacobians, factorizations: work.factorizations, newtonIterations: work.newtonIterations };
    if (attempt.status === 'failed') {
      return { status: 'failed', y1: layout.tree(y0), state: { ...state, cache }, nfe: work.nfe, counts };
    }
    if (attempt.maxRate > this.recomputeRate) cache.stale = true;
    const { y1, yError, kLast } = attempt;
    const T = this.tableau;
    const y1T = state.grad
      ? differentiableStep(
          y1,
          y0T,
          layout,
          {
            t0,
            h,
            gamma: T.gamma,
            a: T.a,
            ts: T.c.map((c) => t0 + c * h),
            zs: [y0, ...attempt.zs],
            ...(this.imex && terms instanceof MultiTerm
              ? { imex: { fExplicit: (t: number, y: Tree) => terms.explicit.evaluate(t, y, args), ...this.imex } }
              : {}),
          },
          state.grad,
          fOnTree,
          this.jac,
          args,
        )
      : layout.tree(y1);
    const out: StepResult<ImplicitState> = {
      y1: y1T,
      yError: layout.tree(yError),
      state: nextState,
      nfe: work.nfe,
      counts,
    };
    if (opts.needsDense && state.grad) {
      // Under gradients the interpolant is built from differentiable tensors (two more evaluations).
      return {
        ...out,
        interp: tapedHermite((t, y) => terms.evaluate(t, y, args), t0, t1, y0T, y1T),
      };
    }
    if (opts.needsDense) {
      // Cubic Hermite from the end values and slopes (the stages are not a continuous extension).
      // An IMEX step's slopes are both parts' (the end one evaluated: its last stage is not y1).
      const dy = Float32Array.from(y1, (v, i) => v - (y0[i] as number));
      const slope0 = fExplicit ? Float64Array.from(k0, (v, i) => v + ((kE0 as Float64Array)[i] as number)) : k0;
      const fE1 = fExplicit?.(t1, y1);
      const slope1 = fE1 ? Float64Array.from(f(t1, y1), (v, i) => v + (fE1[i] as number)) : kLast;
      return {
        ...out,
        interp: {
          vectors: [layout.tree(dy), layout.tree(slope0), layout.tree(slope1)],
          weights: hermiteWeights(h),
        },
      };
    }
    return out;
  }

  /** One step on the device: no host read inside it (the loop reads the error ratio). */
  private deviceStep(
    terms: ODETerm | MultiTerm,
    t0: number,
    t1: number,
    y0T: Tree,
    args: unknown,
    state: ImplicitState,
    opts: { needsDense: boolean; tolerances?: StepTolerances },
    layout: HostLayout,
  ): StepResult<ImplicitState> {
    const implicitTerm = terms instanceof MultiTerm ? terms.implicit : terms;
    const tol = numericTolerances(opts.tolerances);
    const r = deviceImplicitRkStep(
      this.tableau,
      (t, y) => implicitTerm.evaluate(t, y, args),
      terms instanceof MultiTerm ? (t, y) => terms.explicit.evaluate(t, y, args) : undefined,
      t0,
      t1,
      y0T,
      layout,
      this.jac,
      args,
      { iterations: this.deviceIterations, kappa: this.newton.kappa, ...tol },
      state.grad ? thetasOf(state.grad) : [],
      this.smooth,
      opts.needsDense,
    );
    return {
      y1: r.y1,
      yError: r.yError,
      state,
      nfe: r.nfe,
      counts: { jacobians: 1, factorizations: 1, newtonIterations: r.newtonIterations },
      ...(r.interp ? { interp: r.interp } : {}),
    };
  }

  /**
   * All stages of one step with the current Jacobian; 'failed' when a Newton iteration does not converge.
   * `freshJ`: the Jacobian was computed at this step's start.
   */
  private stages(
    f: (t: number, y: Float64Array) => Float64Array,
    fExplicit: ((t: number, y: Float64Array) => Float64Array) | undefined,
    t0: number,
    h: number,
    y0: Float64Array,
    k0: Float64Array,
    kE0: Float64Array | undefined,
    scale: Float64Array,
    blocks: number,
    n: number,
    hg: number,
    cache: NewtonCache,
    work: NewtonWork,
    freshJ: boolean,
  ):
    | { status: 'success'; y1: Float64Array; yError: Float64Array; kLast: Float64Array; maxRate: number; zs: Float64Array[] }
    | { status: 'failed' } {
    const T = this.tableau;
    const N = y0.length;
    if (!ensureFactorization(cache, hg, blocks, n, work)) return { status: 'failed' };
    const ks: Float64Array[] = [k0];
    // IMEX: the explicit part's stage slopes, and both parts' sums for the predictor and the weights.
    const kEs: Float64Array[] = kE0 ? [kE0] : [];
    // kI_j + kE_j, kept as the stages go (the ESDIRK slopes themselves without an explicit part).
    const sum = (k: Float64Array, kE: Float64Array | undefined): Float64Array =>
      kE ? Float64Array.from(k, (v, q) => v + (kE[q] as number)) : k;
    const slopes: Float64Array[] = [sum(k0, kE0)];
    const zs: Float64Array[] = [];
    let z = y0;
    let maxRate = 0;
    for (let i = 1; i < T.c.length; i++) {
      const ti = t0 + (T.c[i] as number) * h;
      const implicitPart = combine(y0, h, T.a[i] as readonly number[], ks);
      const base = this.imex ? combine(implicitPart, h, this.imex.aExplicit[i] as readonly number[], kEs) : implicitPart;
      z = combine(y0, h, T.predictor[i] as readonly number[], slopes);
      const rate = newtonSolve(f, ti, z, base, hg, scale, cache, this.newton, work, freshJ);
      if (rate === undefined) return { status: 'failed' };
      maxRate = Math.max(maxRate, rate);
      // k_i from the stage equation itself, (z − base)/(hγ): at convergence it is f(t_i, z), and
      // it does not amplify the Newton residual by the stiffness.
      const k = new Float64Array(N);
      for (let m = 0; m < N; m++) k[m] = ((z[m] as number) - (base[m] as number)) / hg;
      ks.push(k);
      const kE = fExplicit?.(ti, z);
      if (kE) kEs.push(kE);
      slopes.push(sum(k, kE));
      zs.push(z);
    }
    const yError = combine(new Float64Array(N), h, T.bError, slopes);
    if (this.smooth) (cache.lu as BlockLU).solve(yError);
    // Stiffly accurate ESDIRK: y1 is the last stage; IMEX: the weighted sum of both parts' slopes.
    const y1 = this.imex ? combine(y0, h, this.imex.b, slopes) : z;
    return { status: 'success', y1, yError, kLast: ks[ks.length - 1] as Float64Array, maxRate, zs };
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
