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
import { UnsupportedError, treeAdd, treeDispose, treeFlatten, treeLeaves, treeMap, treeUnflatten, type Tree } from '@nde/core';
import {
  ODETerm,
  PIDController,
  StepTo,
  isSdeTerm,
  type MethodName,
  type Solution,
  type SolveOptions,
  type Solver,
  type StepSizeController,
  type Tolerance,
} from '@nde/solvers';
import {
  CustomBackwardAdjoint,
  sliceTree,
  withGrid,
  type AdjointOptions,
  type BackwardInput,
  type BackwardOutput,
  type ForwardResult,
} from './op.js';
import { gridBetweenPoints } from './grid.js';
import { StochasticAdjoint } from './stochastic.js';
import { isOdeTerm } from './terms.js';
import { valueAndVjp } from './vjp.js';

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
}

type Augmented = {
  y: Tree;
  a: Tree;
  p: tf.Tensor[];
  g: tf.Tensor[];
};

/**
 * The continuous adjoint (optimize-then-discretize), O(1) memory in the number of steps.
 *
 * @example
 * ```ts
 * const adjoint = new BacksolveAdjoint({ params: mlp, rtol: 1e-3, atol: 1e-4 });
 * const { value, grads } = valueAndGrads({ loss: (ys) => tf.sum(ys as tf.Tensor), solveOptions, adjoint });
 * ```
 */
export class BacksolveAdjoint extends CustomBackwardAdjoint<{ grid: number[] }> {
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
  ): ForwardResult<{ grid: number[] }> {
    const { options, grid } = withGrid(o);
    return { solution: solveDirect(options), keep: [], meta: { grid } };
  }

  private controllerFor(
    o: SolveOptions<Tree, unknown>,
    grid: readonly number[],
    from: number,
    to: number,
  ): { stepSizeController: StepSizeController } {
    if (this.options.stepSizeController) return { stepSizeController: this.options.stepSizeController };
    const fwd = o.stepSizeController;
    const adaptive = fwd ? fwd.adaptive : o.dt0 === undefined;
    if (adaptive || this.options.rtol !== undefined) {
      const pid = fwd instanceof PIDController ? fwd : undefined;
      return {
        stepSizeController: new PIDController({
          rtol: this.options.rtol ?? pid?.rtol ?? 1e-3,
          atol: this.options.atol ?? pid?.atol ?? 1e-6,
          ...(pid ? { norm: pid.norm } : {}),
        }),
      };
    }
    return { stepSizeController: new StepTo(gridBetweenPoints(grid, from, to)) };
  }

  /**
   * Solve the augmented system [y, a, dL/dθ, dL/dargs] from the last saved time back to `t0`, adding dL/dy at each
   * saved time.
   */
  protected backward(input: BackwardInput<{ grid: number[] }>): BackwardOutput {
    return this.flattens(input.options) ? this.backwardFlat(input) : this.backwardTree(input);
  }

  /**
   * Whether the augmented state can be one flat vector: the error norm must not see its parts
   * (number tolerances and the 'rms' or 'max' norm), so the steps taken are those of the tree form.
   */
  private flattens(o: SolveOptions<Tree, unknown>): boolean {
    const plain = (c: PIDController): boolean => typeof c.rtol === 'number' && typeof c.atol === 'number' && c.norm !== 'rms-per-sample';
    const user = this.options.stepSizeController;
    if (user) return !(user instanceof PIDController) || plain(user);
    const fwd = o.stepSizeController instanceof PIDController ? o.stepSizeController : undefined;
    const rtol = this.options.rtol ?? fwd?.rtol;
    const atol = this.options.atol ?? fwd?.atol;
    return (
      (rtol === undefined || typeof rtol === 'number') && (atol === undefined || typeof atol === 'number') && fwd?.norm !== 'rms-per-sample'
    );
  }

  /**
   * The augmented system [y, a, dL/dθ, dL/dargs] as one vector: every Runge–Kutta stage and the
   * error norm then cost one op each instead of one per part. The vector field splits it, seeds the
   * VJP with −a (so its results are the right-hand sides as they are, bit for bit the negated VJP
   * of a), and concatenates the parts back.
   */
  private backwardFlat(input: BackwardInput<{ grid: number[] }>): BackwardOutput {
    const { options: o, ys, ts, cotangent, params, args, meta } = input;
    const terms = o.terms as ODETerm;
    const yDef = treeFlatten(o.y0).def;
    const yShapes = treeLeaves(o.y0).map((l) => l.shape);
    const nY = yShapes.length;
    const nP = params.length;
    const shapes = [...yShapes, ...yShapes, ...params.map((p) => p.shape), ...args.map((x) => x.shape)];
    const sizes = shapes.map((sh) => sh.reduce((a, b) => a * b, 1));
    const pack = (parts: readonly tf.Tensor[]): tf.Tensor =>
      tf.tidy(() => (parts.length === 1 ? (parts[0] as tf.Tensor).reshape([-1]) : tf.concat(parts.map((x) => x.reshape([-1])))));
    const unpack = (v: tf.Tensor): tf.Tensor[] =>
      sizes.length === 1 ? [v.reshape(shapes[0] as number[])] : tf.split(v, sizes).map((x, i) => x.reshape(shapes[i] as number[]));
    const augmented = new ODETerm<tf.Tensor>((t, v) => {
      const parts = unpack(v);
      const y = parts.slice(0, nY);
      const negA = treeUnflatten(
        yDef,
        parts.slice(nY, 2 * nY).map((x) => tf.neg(x)),
      );
      const { value, grads } = valueAndVjp(() => terms.vf(t, treeUnflatten(yDef, y), o.args), [...y, ...params, ...args], negA);
      return pack([...treeLeaves(value), ...grads]);
    });
    const T = ts.length;
    const yAt = (k: number): tf.Tensor[] => treeLeaves(sliceTree(ys, k));
    const ctAt = (k: number): tf.Tensor[] => treeLeaves(sliceTree(cotangent, k));
    let s = tf.tidy(() =>
      pack([...yAt(T - 1), ...ctAt(T - 1), ...params.map((p) => tf.zerosLike(p)), ...args.map((x) => tf.zerosLike(x))]),
    );
    let tCur = ts[T - 1] as number;
    for (let k = T - 1; k >= 0; k--) {
      const tPrev = k > 0 ? (ts[k - 1] as number) : o.t0;
      if (tPrev !== tCur) {
        const sol = solveBackward(
          input.solve,
          o,
          this.options,
          augmented as unknown as ODETerm<Augmented, unknown>,
          s as unknown as Augmented,
          tCur,
          tPrev,
          this.controllerFor(o, meta.grid, tCur, tPrev),
        );
        const next = sliceTree(sol.ys as tf.Tensor, 0);
        sol.dispose();
        s.dispose();
        s = next;
      }
      if (k > 0) {
        // Reset y to the forward value at t_{k-1} and add dL/dy(t_{k-1}) to a.
        const prev = s;
        s = tf.tidy(() => {
          const parts = unpack(prev);
          const a = parts.slice(nY, 2 * nY).map((x, j) => tf.add(x, ctAt(k - 1)[j] as tf.Tensor));
          return pack([...yAt(k - 1), ...a, ...parts.slice(2 * nY)]);
        });
        prev.dispose();
      }
      tCur = tPrev;
    }
    const parts = unpack(s);
    s.dispose();
    treeDispose(parts.slice(0, nY));
    return { y0: treeUnflatten(yDef, parts.slice(nY, 2 * nY)), params: parts.slice(2 * nY, 2 * nY + nP), args: parts.slice(2 * nY + nP) };
  }

  private backwardTree(input: BackwardInput<{ grid: number[] }>): BackwardOutput {
    const { options: o, ys, ts, cotangent, params, args, meta } = input;
    const terms = o.terms as ODETerm;
    const yDef = treeFlatten(o.y0).def;
    const nY = treeLeaves(o.y0).length;
    const nP = params.length;
    const xsOf = (y: Tree): tf.Tensor[] => [...treeLeaves(y), ...params, ...args];
    const augmented = new ODETerm<Augmented>((t, s) => {
      // Seeding the VJP with −a gives the right-hand sides directly (negation is exact).
      const negA = treeMap((x) => tf.neg(x), s.a);
      const { value, grads } = valueAndVjp(() => terms.vf(t, s.y, o.args), xsOf(s.y), negA);
      return { y: value, a: treeUnflatten(yDef, grads.slice(0, nY)), p: grads.slice(nY, nY + nP), g: grads.slice(nY + nP) };
    });
    const T = ts.length;
    let s: Augmented = {
      y: sliceTree(ys, T - 1),
      a: sliceTree(cotangent, T - 1),
      p: params.map((p) => tf.zerosLike(p)),
      g: args.map((x) => tf.zerosLike(x)),
    };
    let tCur = ts[T - 1] as number;
    for (let k = T - 1; k >= 0; k--) {
      const tPrev = k > 0 ? (ts[k - 1] as number) : o.t0;
      if (tPrev !== tCur) {
        const sol = solveBackward(input.solve, o, this.options, augmented, s, tCur, tPrev, this.controllerFor(o, meta.grid, tCur, tPrev));
        const next = sliceTree(sol.ys as Tree, 0) as unknown as Augmented;
        sol.dispose();
        treeDispose(s as unknown as Tree);
        s = next;
      }
      if (k > 0) {
        treeDispose(s.y);
        const ct = sliceTree(cotangent, k - 1);
        const a = treeAdd(s.a, ct);
        treeDispose(s.a, ct);
        s = { ...s, y: sliceTree(ys, k - 1), a };
      }
      tCur = tPrev;
    }
    treeDispose(s.y);
    return { y0: s.a, params: s.p, args: s.g };
  }
}

function solveBackward(
  solveDirectBackward: (o: SolveOptions<Tree, unknown>) => Solution<Tree>,
  o: SolveOptions<Tree, unknown>,
  opts: BacksolveAdjointOptions,
  terms: ODETerm<Augmented, unknown>,
  s: Augmented,
  from: number,
  to: number,
  controller: { stepSizeController: StepSizeController },
): Solution<Tree> {
  return solveDirectBackward({
    terms,
    solver: opts.solver ?? o.solver,
    t0: from,
    t1: to,
    y0: s as unknown as Tree,
    ...controller,
    saveAt: { t1: true },
    maxSteps: opts.maxSteps ?? o.maxSteps ?? 16384,
    checkFinite: false,
  });
}
