/**
 * `BacksolveAdjoint`: the continuous adjoint of Chen et al. (2018). The forward solve records
 * nothing; the backward pass solves the augmented system [y, a, dL/dθ, dL/dargs] from the last
 * saved time back to t0 with its own solver and tolerances:
 *
 *   dy/dt = f(t, y),   da/dt = −aᵀ ∂f/∂y,   d(dL/dθ)/dt = −aᵀ ∂f/∂θ,
 *
 * adding dL/dy(t_k) to `a` at each saved time and resetting `y` to the forward value there (as
 * torchdiffeq does). Memory is O(1) in the number of steps. For SDE terms it hands over to the
 * stochastic adjoint ({@link StochasticAdjoint}).
 */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError, treeLeaves, treeMap, treeUnflatten, type Tree } from '@nde/core';
import {
  DenseInterpolation,
  LocalInterpolant,
  ODETerm,
  PIDController,
  StepTo,
  isAdaptiveController,
  isSdeTerm,
  type MethodName,
  type Solution,
  type SolveOptions,
  type Solver,
  type StepSizeController,
  type Tolerance,
} from '@nde/solvers';
import { CustomBackwardAdjoint, withGrid, type AdjointOptions, type BackwardInput, type BackwardOutput, type ForwardResult } from './op.js';
import { gridBetweenPoints } from './grid.js';
import { StochasticAdjoint } from './stochastic.js';
import { isOdeTerm } from './terms.js';
import { valueAndVjp } from './vjp.js';
import { flatLayout, structureOf, treeLayout, walkBackward, type AugmentedLayout } from './walk.js';

/** Options of {@link BacksolveAdjoint}. */
export interface BacksolveAdjointOptions extends AdjointOptions {
  /** Solver of the backward (augmented) solve (default: the forward one). */
  readonly solver?: Solver | MethodName;
  /** Relative tolerance of the backward solve (default: the forward PIDController's, else 1e-3). */
  readonly rtol?: Tolerance;
  /** Absolute tolerance of the backward solve (default: the forward PIDController's, else 1e-6). */
  readonly atol?: Tolerance;
  /** Its step-size controller (default: a PIDController for adaptive forward solves, else the forward step grid replayed backwards). */
  readonly stepSizeController?: StepSizeController;
  /** Maximum number of backward steps per interval between saved times (default 16384). */
  readonly maxSteps?: number;
  /**
   * Carry the backward controller's step size and error history from one interval between saved
   * times to the next, instead of choosing a first step afresh on each (default true; false is
   * torchdiffeq's behaviour, two extra evaluations and a ramp-up per interval).
   */
  readonly carryControllerState?: boolean;
  /**
   * How the backward pass knows y(t): `'backsolve'` (default) re-solves it backwards with the adjoint,
   * O(1) memory — ill-posed for stiff problems, whose decaying modes grow backwards; `'interpolate'`
   * reads it from the forward solve's dense output (SciMLSensitivity's `InterpolatingAdjoint`), O(steps)
   * memory but stable for stiff problems, and the adjoint system loses y's part of the error norm.
   */
  readonly reconstruct?: 'backsolve' | 'interpolate';
}

/** What the forward pass hands the backward one: the step grid and, when interpolating, the dense output's layout. */
export interface BacksolveMeta {
  /** The accepted step grid of the forward solve (t0 first). */
  readonly grid: number[];
  /** Each dense piece: its interval, weights, and how many vectors it keeps (interpolating only). */
  readonly pieces?: readonly { t0: number; t1: number; weights: (theta: number) => number[]; vectors: number }[];
  /** Direction of the forward solve (interpolating only). */
  readonly direction?: 1 | -1;
}

/**
 * The continuous adjoint (optimize-then-discretize), O(1) memory in the number of steps.
 *
 * @example
 * ```ts
 * const adjoint = new BacksolveAdjoint({ params: mlp, rtol: 1e-3, atol: 1e-4 });
 * const { value, grads } = valueAndGrads({ loss: (ys) => tf.sum(ys as tf.Tensor), solveOptions, adjoint });
 * ```
 */
export class BacksolveAdjoint extends CustomBackwardAdjoint<BacksolveMeta> {
  /** Identifier of this adjoint: `'backsolve'`. */
  readonly name = 'backsolve';
  /** The options it was built with (backward solver, tolerances, step-size controller, step limit). */
  readonly options: BacksolveAdjointOptions;
  private readonly stochastic: StochasticAdjoint;

  constructor(options: BacksolveAdjointOptions = {}) {
    super(options);
    this.options = options;
    this.stochastic = new StochasticAdjoint(options.params ? { params: options.params } : {});
  }

  override solve<Y extends Tree, A>(options: SolveOptions<Y, A>, forward: (options: SolveOptions<Y, A>) => Solution<Y>): Solution<Y> {
    if (isSdeTerm(options.terms)) return this.stochastic.solve(options, forward);
    if (!isOdeTerm(options.terms))
      throw new UnsupportedError('terms', 'BacksolveAdjoint needs an ODETerm (or an SDETerm, for the stochastic adjoint).');
    return super.solve(options, forward);
  }

  /** Solve with the tape off, recording the accepted step grid (nothing else is kept). */
  protected forward(
    o: SolveOptions<Tree, unknown>,
    solveDirect: (o: SolveOptions<Tree, unknown>) => Solution<Tree>,
  ): ForwardResult<BacksolveMeta> {
    const { options, grid } = withGrid(o);
    if (this.options.reconstruct !== 'interpolate') return { solution: solveDirect(options), keep: [], meta: { grid } };
    // Keep every step's interpolant (its y0 and vectors) for the backward pass.
    const solution = solveDirect({ ...options, saveAt: { ...(o.saveAt ?? { t1: true }), dense: true } });
    const dense = solution.dense as DenseInterpolation<Tree>;
    const keep: tf.Tensor[] = [];
    const pieces = dense.pieces.map((p) => {
      keep.push(...treeLeaves(p.y0), ...p.data.vectors.flatMap((v) => treeLeaves(v)));
      return { t0: p.t0, t1: p.t1, weights: p.data.weights, vectors: p.data.vectors.length };
    });
    return { solution, keep, meta: { grid, pieces, direction: dense.direction } };
  }

  /** The forward dense output rebuilt from the kept tensors (they stay owned by the gradient machinery). */
  private denseFrom(meta: BacksolveMeta, kept: readonly tf.Tensor[], y0: Tree): DenseInterpolation<Tree> {
    const { def, count } = structureOf(y0);
    let o = 0;
    const take = (): Tree => {
      const t = treeUnflatten(def, kept.slice(o, o + count) as tf.Tensor[]);
      o += count;
      return t;
    };
    const pieces = (meta.pieces ?? []).map((p) => {
      const y = take();
      const vectors = Array.from({ length: p.vectors }, take);
      return new LocalInterpolant<Tree>(p.t0, p.t1, y, { vectors, weights: p.weights });
    });
    return new DenseInterpolation<Tree>(pieces, meta.direction ?? 1);
  }

  /**
   * The backward solve's controller: the user's, else the forward adaptive controller itself (its
   * tolerances, norm and coefficients, as torchdiffeq reuses the forward options) or a
   * PIDController with the tolerances given here, else the forward step grid replayed backwards.
   */
  private controllerFor(o: SolveOptions<Tree, unknown>, grid: readonly number[], from: number, to: number): StepSizeController {
    if (this.options.stepSizeController) return this.options.stepSizeController;
    const fwd = o.stepSizeController;
    const adaptiveFwd = fwd && isAdaptiveController(fwd) ? fwd : undefined;
    if (this.options.rtol !== undefined || this.options.atol !== undefined || (!fwd && o.dt0 === undefined)) {
      return new PIDController({
        rtol: this.options.rtol ?? adaptiveFwd?.rtol ?? 1e-3,
        atol: this.options.atol ?? adaptiveFwd?.atol ?? 1e-6,
        ...(adaptiveFwd ? { norm: adaptiveFwd.norm } : {}),
      });
    }
    if (adaptiveFwd) return adaptiveFwd;
    return new StepTo(gridBetweenPoints(grid, from, to));
  }

  /**
   * Solve the augmented system [y, a, dL/dθ, dL/dargs] from the last saved time back to `t0`, adding dL/dy at each
   * saved time.
   */
  protected backward(input: BackwardInput<BacksolveMeta>): BackwardOutput {
    const { options: o, params, args } = input;
    const terms = o.terms as ODETerm;
    const { def: yDef, count: nY } = structureOf(o.y0);
    const nP = params.length;
    const interpolate = this.options.reconstruct === 'interpolate';
    const dense = interpolate ? this.denseFrom(input.meta, input.kept, o.y0) : undefined;
    const layout: AugmentedLayout<Tree> = interpolate
      ? treeLayout
      : this.flattens(o)
        ? (flatLayout(
            yDef,
            [...treeLeaves(o.y0), ...treeLeaves(o.y0), ...params, ...args].map((x) => x.shape),
            {
              y: nY,
              p: nP,
            },
          ) as unknown as AugmentedLayout<Tree>)
        : treeLayout;
    // Seeding the VJP with −a gives the right-hand sides directly (negation is exact).
    const augmented = new ODETerm<Tree>((t, state) => {
      const { y: carried, a } = layout.viewStateAndAdjoint(state);
      // y from the forward's dense output, or the state's own y (re-solved backwards).
      // (A stage time past the forward interval's ends — Kværnø's c > 1 — reads the end value.)
      const y = dense ? dense.evaluate(Math.min(Math.max(t, Math.min(dense.t0, dense.t1)), Math.max(dense.t0, dense.t1))) : carried;
      const { value, grads } = valueAndVjp(
        () => terms.vf(t, y, o.args),
        [...treeLeaves(y), ...params, ...args],
        treeMap((x) => tf.neg(x), a),
      );
      return layout.build({
        y: dense ? [] : value,
        a: treeUnflatten(yDef, grads.slice(0, nY)),
        p: grads.slice(nY, nY + nP),
        g: grads.slice(nY + nP),
      });
    });
    const carry = this.options.carryControllerState ?? true;
    const out = walkBackward({
      carryState: !interpolate,
      ys: input.ys,
      cotangent: input.cotangent,
      ts: input.ts,
      t0: o.t0,
      params,
      args,
      layout,
      solveInterval: (state, from, to, controllerState) =>
        input.solve({
          terms: augmented,
          solver: this.options.solver ?? o.solver,
          t0: from,
          t1: to,
          y0: state,
          stepSizeController: this.controllerFor(o, input.meta.grid, from, to),
          ...(carry && controllerState !== undefined ? { controllerState } : {}),
          saveAt: { t1: true },
          maxSteps: this.options.maxSteps ?? o.maxSteps ?? 16384,
          checkFinite: false,
        }),
    });
    return { y0: out.y0, params: out.params, args: out.args };
  }

  /**
   * Whether the augmented state can be one flat vector: the error norm must not see its parts
   * (number tolerances and the 'rms' or 'max' norm), so the steps taken are those of the tree form.
   */
  private flattens(o: SolveOptions<Tree, unknown>): boolean {
    const c = this.options.stepSizeController ?? o.stepSizeController;
    const adaptive = c && isAdaptiveController(c) ? c : undefined;
    const rtol = this.options.rtol ?? adaptive?.rtol;
    const atol = this.options.atol ?? adaptive?.atol;
    return (
      (rtol === undefined || typeof rtol === 'number') &&
      (atol === undefined || typeof atol === 'number') &&
      adaptive?.norm !== 'rms-per-sample'
    );
  }
}
