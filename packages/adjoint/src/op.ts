/**
 * The shared machinery of the adjoints that define their own backward pass (checkpointed,
 * backsolve, stochastic, reversible): the solve becomes one `tf.customGrad` op whose inputs are
 * the leaves of y0, the parameters and the tensors in `args`, and whose output is every saved
 * state. The forward runs with the tape off (nothing per step is recorded); the backward pass is
 * the adjoint's own algorithm. Used through `solve({ ..., adjoint })` inside `tf.grads`,
 * `tf.variableGrads`, `optimizer.minimize` or {@link valueAndGrads}.
 */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError, treeFlatten, treeUnflatten, withArgTensors, type Tree, type TreeDef } from '@nde/core';
import type { AdjointMethod, Solution, SolveOptions, SolveStats, SolveStatus } from '@nde/solvers';
import { argTensors, paramsFor, type NamedParams, type ParamsSpec } from './params.js';
import { probeOf } from './terms.js';

/** What a forward pass hands to its backward pass. */
export interface ForwardResult<M> {
  /** The solution of the forward solve (its ys become the op's output). */
  readonly solution: Solution<Tree>;
  /** Extra tensors the backward pass needs (saved only when gradients are being recorded). */
  readonly keep: readonly tf.Tensor[];
  /** Host-side facts (step grid, times). */
  readonly meta: M;
}

/** Inputs of the backward pass. */
export interface BackwardInput<M> {
  /** The options of the forward solve. */
  readonly options: SolveOptions<Tree, unknown>;
  /** Host-side facts the forward pass recorded (its `ForwardResult.meta`). */
  readonly meta: M;
  /** The saved states, stacked like `solution.ys`. */
  readonly ys: Tree;
  /** Their saving times. */
  readonly ts: readonly number[];
  /** dL/dys, shaped like `ys`. */
  readonly cotangent: Tree;
  /** Tensors from `keep`. */
  readonly kept: readonly tf.Tensor[];
  /** The variables being differentiated, in the order their gradients must be returned. */
  readonly params: readonly tf.Variable[];
  /** The tensors inside the solve's `args`, in the order of `argTensors(args)`. */
  readonly args: readonly tf.Tensor[];
  /** The loop driver `solve` handed the adjoint (`solveDirect`, or a read-free replay): use it for every inner solve. */
  readonly solve: (o: SolveOptions<Tree, unknown>) => Solution<Tree>;
}

/** Gradients the backward pass returns (all new tensors). */
export interface BackwardOutput {
  /** dL/dy0, shaped like y0. */
  readonly y0: Tree;
  /** dL/dθ for each of `BackwardInput.params`, same order and shapes. */
  readonly params: readonly tf.Tensor[];
  /** dL/d(tensor) for each of `BackwardInput.args`, same order and shapes. */
  readonly args: readonly tf.Tensor[];
}

/** Options every custom-backward adjoint takes. */
export interface AdjointOptions {
  /** Parameters to differentiate. Default: found by probing the terms once per solve. */
  readonly params?: ParamsSpec;
}

/**
 * Base class of the adjoints with their own backward pass.
 *
 * @example
 * ```ts
 * class MyAdjoint extends CustomBackwardAdjoint<void> { ... }
 * ```
 */
export abstract class CustomBackwardAdjoint<M> implements AdjointMethod {
  /** Short identifier of the adjoint (e.g. `'backsolve'`), used in error messages. */
  abstract readonly name: string;
  /** Parameters given in the options; `undefined` means they are found by probing the terms on each solve. */
  protected readonly paramsSpec: ParamsSpec | undefined;

  constructor(options: AdjointOptions = {}) {
    this.paramsSpec = options.params;
  }

  /** The parameters this adjoint differentiates for these options. */
  paramsOf(options: SolveOptions<Tree, unknown>): NamedParams {
    return paramsFor(this.paramsSpec, probeOf(options));
  }

  /**
   * Run the forward solve with the tape off through `solveDirect`, returning the solution, the tensors to keep and
   * host-side metadata.
   */
  protected abstract forward(
    options: SolveOptions<Tree, unknown>,
    solveDirect: (o: SolveOptions<Tree, unknown>) => Solution<Tree>,
  ): ForwardResult<M>;
  /** Compute dL/dy0, dL/dθ and dL/d(args) from the cotangent of the saved states (new tensors owned by the caller). */
  protected abstract backward(input: BackwardInput<M>): BackwardOutput;

  solve<Y extends Tree, A>(options: SolveOptions<Y, A>, forward: (options: SolveOptions<Y, A>) => Solution<Y>): Solution<Y> {
    const o = options as unknown as SolveOptions<Tree, unknown>;
    const fwd = forward as unknown as (o: SolveOptions<Tree, unknown>) => Solution<Tree>;
    if (o.event !== undefined)
      throw new UnsupportedError('event', `${this.name} does not support terminal events.`, 'Use DirectAdjoint for solves with events.');
    if (o.saveAt?.dense)
      throw new UnsupportedError(
        'saveAt.dense',
        `${this.name} cannot differentiate dense output.`,
        'Save at the times you need with saveAt.ts, or use DirectAdjoint.',
      );
    const params = this.paramsOf(o).vars;
    const args = argTensors(o.args);
    const y0 = treeFlatten(o.y0);
    let info:
      | { ts: number[]; stats: SolveStats; status: SolveStatus; message?: string; tFinal: number; def: TreeDef; shapes: number[][] }
      | undefined;
    const op = tf.customGrad(((...xs: unknown[]) => {
      const save = xs[xs.length - 1] as tf.GradSaveFunc;
      const { solution, keep, meta } = this.forward(o, fwd);
      if (!solution.ys)
        throw new UnsupportedError('saveAt', `${this.name} needs at least one saved state.`, 'Save something, e.g. saveAt: { t1: true }.');
      const flat = treeFlatten(solution.ys);
      info = {
        ts: solution.ts,
        stats: solution.stats,
        status: solution.status,
        ...(solution.message ? { message: solution.message } : {}),
        tFinal: solution.tFinal,
        def: flat.def,
        shapes: flat.leaves.map((l) => l.shape),
      };
      const value =
        flat.leaves.length === 1 ? (flat.leaves[0] as tf.Tensor).reshape([-1]) : tf.concat(flat.leaves.map((l) => l.reshape([-1])));
      // y0 and the args tensors are saved too: the caller may dispose them (a tidy around the loss)
      // before the backward pass replays the solve from them.
      save([...flat.leaves, ...keep, ...y0.leaves, ...args]);
      const ts = solution.ts;
      const nOut = flat.leaves.length;
      const nKeep = keep.length;
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const def = (info as { def: TreeDef }).def;
          const shapes = (info as { shapes: number[][] }).shapes;
          const cts =
            shapes.length === 1
              ? [dy.reshape(shapes[0] as number[])]
              : tf
                  .split(
                    dy,
                    shapes.map((s) => s.reduce((a, b) => a * b, 1)),
                  )
                  .map((p, i) => p.reshape(shapes[i] as number[]));
          const savedY0 = saved.slice(nOut + nKeep, nOut + nKeep + y0.leaves.length);
          const savedArgs = saved.slice(nOut + nKeep + y0.leaves.length);
          const out = this.backward({
            options: { ...o, y0: treeUnflatten(y0.def, savedY0), args: withArgTensors(o.args, savedArgs) },
            meta,
            ys: treeUnflatten(def, saved.slice(0, nOut)),
            ts,
            cotangent: treeUnflatten(def, cts),
            kept: saved.slice(nOut, nOut + nKeep),
            params,
            args: savedArgs,
            solve: fwd,
          });
          return [...treeFlatten(out.y0).leaves, ...out.params, ...out.args];
        },
      };
    }) as never) as (...xs: tf.Tensor[]) => tf.Tensor;
    const flatOut = op(...y0.leaves, ...params, ...args);
    const got = info as NonNullable<typeof info>;
    const sizes = got.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    let offset = 0;
    const leaves = tf.tidy(() =>
      sizes.map((n, i) => {
        const part = sizes.length === 1 ? flatOut : tf.slice(flatOut, [offset], [n]);
        offset += n;
        return part.reshape(got.shapes[i] as number[]);
      }),
    );
    flatOut.dispose();
    const ys = treeUnflatten<Y>(got.def, leaves);
    return {
      ts: got.ts,
      ys,
      stats: got.stats,
      status: got.status,
      ...(got.message ? { message: got.message } : {}),
      tFinal: got.tFinal,
      dispose: () => leaves.forEach((l) => l.dispose()),
    };
  }
}

/** Record the accepted step grid of a solve (t0 first) through `onStep`, chaining the user's callback. @internal */
export function withGrid<Y extends Tree, A>(o: SolveOptions<Y, A>): { options: SolveOptions<Y, A>; grid: number[] } {
  const grid = [o.t0];
  const user = o.onStep;
  return {
    grid,
    options: {
      ...o,
      onStep: (t, stats, y) => {
        grid.push(t);
        user?.(t, stats, y);
      },
    },
  };
}

/** Slice entry `i` of every stacked leaf (`[T, ...]` → `[...]`). Caller owns the result. @internal */
export function sliceTree<T extends Tree>(stacked: T, i: number): T {
  const { leaves, def } = treeFlatten(stacked);
  return treeUnflatten<T>(
    def,
    leaves.map((l) => tf.tidy(() => tf.squeeze(tf.slice(l, [i], [1]), [0]))),
  );
}
