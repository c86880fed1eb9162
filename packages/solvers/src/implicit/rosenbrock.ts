/**
 * Rosenbrock–W methods: linearly implicit, no Newton iteration — one LU of I − hγJ per step and one
 * linear solve per stage. With y_i = y0 + Σ_{j<i} a_ij k_j and γ_i = γ + Σ_j γ_ij,
 *
 *   (I − hγJ) k_i = h f(t0 + c_i h, y_i) + h J Σ_{j<i} γ_ij k_j + h² γ_i ∂f/∂t,   y1 = y0 + Σ b_i k_i,
 *
 * error estimate Σ (b_i − b̂_i) k_i. A W-method keeps its order for any matrix J (so an approximate or
 * old Jacobian does not break it); ∂f/∂t is a forward difference in t (one evaluation a step).
 * Tableau: ROS34PW2 of Rang & Angermann (2005), "New Rosenbrock W-methods of order 3 for partial
 * differential algebraic equations of index 1", BIT 45: 4 stages, order 3(2), L-stable, stiffly accurate.
 *
 * Gradients hold the step's matrix W = J(t0, y0) fixed. Differentiating the step with W fixed is the
 * same W-method applied to the variational equation δy′ = J(t, y(t)) δy (with W as its matrix), so
 * the gradient keeps the method's order and stability; differentiating W itself would need second
 * derivatives of f and changes the result by the method's local error only.
 */
import { InvalidArgumentError, treeDispose, type Tree } from '@nde/core';
import { hermiteWeights } from '../interpolation.js';
import type { Solver, StepResult, StepTolerances } from '../solver.js';
import type { ODETerm } from '../terms.js';
import { assertHostBackend, assertNoMassMatrix, checkLinearAlgebra, onDevice } from './checks.js';
import { deviceRosenbrockStep } from './rosenbrock-device.js';
import { jacobian, systemShape, type JacobianOptions } from './jacobian.js';
import { HostLayout } from './layout.js';
import { axpy, differentiableOneStep, gradientInputs, tapedHermite, type Differentiated, type HostBackward } from './ift.js';
import type { BlockLU } from './lu.js';
import { factorNewtonMatrix, hostField, type NewtonWork } from './newton.js';

/** A Rosenbrock–W tableau. */
export interface RosenbrockTableau {
  /** Method name as `solve` accepts it. */
  readonly name: string;
  /** Order of the solution. */
  readonly order: number;
  /** Order of the embedded solution. */
  readonly errorOrder: number;
  /** The diagonal γ. */
  readonly gamma: number;
  /** Stage coefficients a_ij of the arguments (row i has i entries). */
  readonly a: readonly (readonly number[])[];
  /** Off-diagonal γ_ij of the Jacobian coupling (row i has i entries). */
  readonly g: readonly (readonly number[])[];
  /** Solution weights. */
  readonly b: readonly number[];
  /** Embedded solution's weights. */
  readonly bHat: readonly number[];
  /** Where the coefficients come from. */
  readonly reference: string;
}

/** ROS34PW2 (Rang & Angermann 2005): 4 stages, order 3(2), L-stable, stiffly accurate W-method. */
export const ros34pw2: RosenbrockTableau = {
  name: 'ros34pw2',
  order: 3,
  errorOrder: 2,
  gamma: 4.358665215084589e-1,
  a: [[], [8.7173304301691801e-1], [8.4457060015369423e-1, -1.1299064236484185e-1], [0, 0, 1]],
  g: [
    [],
    [-8.7173304301691801e-1],
    [-9.0338057013044082e-1, 5.4180672388095326e-2],
    [2.4212380706095346e-1, -1.2232505839045147, 5.4526025533510214e-1],
  ],
  b: [2.4212380706095346e-1, -1.2232505839045147, 1.545260255335102, 4.358665215084589e-1],
  bHat: [3.7810903145819369e-1, -9.6042292212423178e-2, 0.5, 2.179332607542295e-1],
  reference: 'Rang & Angermann (2005), BIT 45(4), 761–787',
};

/** The built-in Rosenbrock tableaux by name. */
export const ROSENBROCK_TABLEAUS = { ros34pw2 } as const;

/** Options of {@link Rosenbrock}. */
export interface RosenbrockOptions {
  /** Where the Jacobian comes from and its block structure (default autodiff, dense). */
  readonly jacobian?: JacobianOptions;
  /**
   * Where the linear algebra runs: `'host'` (float64 LU on the host; cpu and wasm, where reads are
   * free) or `'device'` (the Jacobian, a batched LU and every stage in tensor ops, no host read in
   * the step). Default: `'device'` on webgl/webgpu, `'host'` elsewhere.
   */
  readonly linearAlgebra?: 'host' | 'device';
  /** Not supported: mass matrices (DAEs). */
  readonly massMatrix?: unknown;
}

/** The Rosenbrock state: what gradients are taken with respect to, under a tape. */
export interface RosenbrockState {
  /** @internal Variables and args tensors the field uses (only under a gradient tape). */
  readonly grad?: Differentiated;
}

/** J·v (or Jᵀ·v) for `blocks` row-major n×n blocks. */
function jacobianTimes(J: Float64Array, v: Float64Array, blocks: number, n: number, transpose = false): Float64Array {
  const out = new Float64Array(v.length);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const entry = transpose ? J[b * n * n + j * n + i] : J[b * n * n + i * n + j];
        s += (entry as number) * (v[b * n + j] as number);
      }
      out[b * n + i] = s;
    }
  }
  return out;
}

/** What the backward pass of a Rosenbrock step needs from its forward pass. */
interface RosenbrockRecord {
  readonly t0: number;
  readonly h: number;
  readonly y0: Float64Array;
  /** Stage arguments y_i and times. */
  readonly ys: readonly Float64Array[];
  readonly ts: readonly number[];
  /** W = J(t0, y0) and the LU of I − hγW. */
  readonly J: Float64Array;
  readonly lu: BlockLU;
  readonly blocks: number;
  readonly n: number;
  /** The forward difference's step for ∂f/∂t. */
  readonly dt: number;
}

/**
 * ȳ0 from ȳ1 with W fixed (θ̄ accumulates in `pass`). Forward: r_i = h f(t_i, y_i) + hW Σ γ_ij k_j
 * + h²γ_i f_t, (I − hγW) k_i = r_i, y_i = y0 + Σ a_ij k_j, y1 = y0 + Σ b_i k_i, f_t = (f(t0 + δ, y0) − f0)/δ.
 */
function rosenbrockBackward(ybar: Float64Array, T: RosenbrockTableau, r: RosenbrockRecord, pass: HostBackward): Float64Array {
  const N = ybar.length;
  const s = T.b.length;
  const y0bar = Float64Array.from(ybar);
  const kbar = T.b.map((b) => Float64Array.from(ybar, (v) => b * v));
  const ftBar = new Float64Array(N);
  let f0Bar = new Float64Array(N);
  for (let i = s - 1; i >= 0; i--) {
    const rbar = r.lu.solveTransposed(kbar[i] as Float64Array);
    const hr = Float64Array.from(rbar, (v) => r.h * v);
    if (i === 0) f0Bar = hr;
    else {
      const yiBar = pass.vjp(r.ts[i] as number, r.ys[i] as Float64Array, hr);
      axpy(y0bar, 1, yiBar);
      ((T.a[i] ?? []) as readonly number[]).forEach((aij, j) => axpy(kbar[j] as Float64Array, aij, yiBar));
    }
    const wt = jacobianTimes(r.J, hr, r.blocks, r.n, true);
    let gi = T.gamma;
    ((T.g[i] ?? []) as readonly number[]).forEach((gij, j) => {
      gi += gij;
      axpy(kbar[j] as Float64Array, gij, wt);
    });
    axpy(ftBar, r.h * r.h * gi, rbar);
  }
  // f0 feeds stage 0 and the time difference; f(t0 + δ, y0) feeds the difference alone.
  axpy(f0Bar, -1 / r.dt, ftBar);
  axpy(y0bar, 1, pass.vjp(r.t0, r.y0, f0Bar));
  axpy(
    y0bar,
    1,
    pass.vjp(
      r.t0 + r.dt,
      r.y0,
      Float64Array.from(ftBar, (v) => v / r.dt),
    ),
  );
  return y0bar;
}

/**
 * A Rosenbrock–W method for stiff ODEs (ROS34PW2 by default): no Newton iterations, one LU per step.
 *
 * @example
 * ```ts
 * solve({ terms: new ODETerm(robertson), solver: 'ros34pw2', t0: 0, t1: 1e5, y0,
 *         stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-10 }) });
 * ```
 */
export class Rosenbrock implements Solver<ODETerm, RosenbrockState> {
  /** The method name (the tableau's). */
  readonly name: string;
  /** Order of the solution. */
  readonly order: number;
  /** Order of the embedded error estimate. */
  readonly errorOrder: number;
  readonly termKind = 'ode' as const;
  private readonly jac: Required<JacobianOptions>;
  private readonly linearAlgebra: 'host' | 'device' | undefined;

  /**
   * @param tableau - the coefficients (default ROS34PW2)
   * @param options - Jacobian source and structure, where the linear algebra runs
   */
  constructor(
    /** The coefficients driving the steps. */
    readonly tableau: RosenbrockTableau = ros34pw2,
    options: RosenbrockOptions = {},
  ) {
    assertNoMassMatrix(options.massMatrix);
    this.name = tableau.name;
    this.order = tableau.order;
    this.errorOrder = tableau.errorOrder;
    this.jac = { structure: options.jacobian?.structure ?? 'dense', source: options.jacobian?.source ?? 'autodiff' };
    this.linearAlgebra = checkLinearAlgebra(options.linearAlgebra);
  }

  validate(terms: ODETerm): void {
    if ((terms as { kind?: unknown } | undefined)?.kind !== 'ode' || typeof terms.evaluate !== 'function') {
      throw new InvalidArgumentError(
        'terms',
        `'${this.name}' solves an ODETerm.`,
        'Wrap the vector field: new ODETerm((t, y, args) => …).',
      );
    }
    if (!onDevice(this.linearAlgebra)) assertHostBackend(this.name);
  }

  /** No numerical state between steps (the Jacobian is fresh every step); under a tape, what to differentiate. */
  init(terms: ODETerm, t0: number, y0: Tree, args: unknown, f0?: Tree): RosenbrockState {
    treeDispose(f0);
    systemShape(HostLayout.of(y0), this.jac.structure);
    // On the device, gradients flow through the tape itself.
    if (onDevice(this.linearAlgebra)) return {};
    const grad = gradientInputs(() => terms.evaluate(t0, y0, args), args);
    return grad ? { grad } : {};
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
    state: RosenbrockState,
    opts: { madeJump: boolean; needsDense: boolean; tolerances?: StepTolerances },
  ): StepResult<RosenbrockState> {
    const layout = HostLayout.of(y0T);
    if (onDevice(this.linearAlgebra)) {
      const r = deviceRosenbrockStep(
        this.tableau,
        (t, y) => terms.evaluate(t, y, args),
        t0,
        t1,
        y0T,
        layout,
        this.jac,
        args,
        opts.needsDense,
      );
      return { ...r, state, counts: { jacobians: 1, factorizations: 1, newtonIterations: 0 } };
    }
    const y0 = layout.read(y0T);
    const N = y0.length;
    const work: NewtonWork = { nfe: 0, jacobians: 0, factorizations: 0, newtonIterations: 0 };
    const fOnTree = (t: number, y: Tree): Tree => terms.evaluate(t, y, args);
    const f = hostField(fOnTree, layout, work);
    const { blocks, n } = systemShape(layout, this.jac.structure);
    const T = this.tableau;
    const h = t1 - t0;
    const f0 = f(t0, y0);
    // A fresh Jacobian every step (exact J gives the classical order; the W property keeps order 3
    // for an approximate one).
    const { J, nfe } = jacobian(fOnTree, t0, y0, layout, args, this.jac, f0);
    work.nfe += nfe;
    work.jacobians++;
    const counts = (): StepResult<RosenbrockState>['counts'] => ({
      jacobians: work.jacobians,
      factorizations: work.factorizations,
      newtonIterations: 0,
    });
    const lu = factorNewtonMatrix(J, h * T.gamma, blocks, n);
    work.factorizations++;
    if (!lu) return { status: 'failed', y1: layout.tree(y0), state, nfe: work.nfe, counts: counts() };
    // ∂f/∂t by a forward difference in t alone.
    const dt = 1e-3 * Math.max(Math.abs(h), 1e-8);
    const ft = Float64Array.from(f(t0 + dt, y0), (v, i) => (v - (f0[i] as number)) / dt);
    const ks: Float64Array[] = [];
    const ys: Float64Array[] = [];
    const ts: number[] = [];
    for (let i = 0; i < T.b.length; i++) {
      const a = (T.a[i] ?? []) as readonly number[];
      const g = (T.g[i] ?? []) as readonly number[];
      const yi = Float64Array.from(y0);
      const gk = new Float64Array(N);
      let ci = 0;
      let gi = T.gamma;
      a.forEach((aij, j) => {
        ci += aij;
        const k = ks[j] as Float64Array;
        if (aij !== 0) for (let q = 0; q < N; q++) yi[q] = (yi[q] as number) + aij * (k[q] as number);
      });
      g.forEach((gij, j) => {
        gi += gij;
        const k = ks[j] as Float64Array;
        if (gij !== 0) for (let q = 0; q < N; q++) gk[q] = (gk[q] as number) + gij * (k[q] as number);
      });
      ys.push(yi);
      ts.push(t0 + ci * h);
      const fi = i === 0 ? f0 : f(t0 + ci * h, yi);
      const jg = jacobianTimes(J, gk, blocks, n);
      const rhs = new Float64Array(N);
      for (let q = 0; q < N; q++) rhs[q] = h * (fi[q] as number) + h * (jg[q] as number) + h * h * gi * (ft[q] as number);
      ks.push(lu.solve(rhs));
    }
    const y1 = Float64Array.from(y0);
    const err = new Float64Array(N);
    ks.forEach((k, i) => {
      const b = T.b[i] as number;
      const e = b - (T.bHat[i] as number);
      for (let q = 0; q < N; q++) {
        y1[q] = (y1[q] as number) + b * (k[q] as number);
        err[q] = (err[q] as number) + e * (k[q] as number);
      }
    });
    if (!y1.every(Number.isFinite)) return { status: 'failed', y1: layout.tree(y0), state, nfe: work.nfe, counts: counts() };
    const y1T = state.grad
      ? differentiableOneStep(y1, y0T, layout, state.grad, fOnTree, this.jac, args, (ybar, pass) =>
          rosenbrockBackward(ybar, this.tableau, { t0, h, y0, ys, ts, J, lu, blocks, n, dt }, pass),
        )
      : layout.tree(y1);
    const out: StepResult<RosenbrockState> = {
      y1: y1T,
      yError: layout.tree(err),
      state,
      nfe: work.nfe,
      counts: counts(),
    };
    if (!opts.needsDense) return out;
    if (state.grad) {
      // Under gradients the interpolant is built from differentiable tensors (two more evaluations).
      return {
        ...out,
        interp: tapedHermite((t, y) => terms.evaluate(t, y, args), t0, t1, y0T, y1T),
      };
    }
    const f1 = f(t1, y1);
    return {
      ...out,
      nfe: work.nfe,
      interp: {
        vectors: [layout.tree(Float64Array.from(y1, (v, q) => v - (y0[q] as number))), layout.tree(f0), layout.tree(f1)],
        weights: hermiteWeights(h),
      },
    };
  }
}
