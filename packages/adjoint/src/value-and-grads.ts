/**
 * `valueAndGrads`: the loss on a solve and its gradients with respect to y0, the parameters, the
 * tensors in `args` and the end points t0/t1, with any adjoint — ready for any tfjs optimizer.
 * `valueAndGradsAsync` does the same without a single synchronous read (WebGPU has none): see its doc.
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  UnsupportedError,
  treeDispose,
  withOuterTape,
  treeFlatten,
  treeLeaves,
  treeUnflatten,
  type Tree,
} from '@nde/core';
import {
  StepTo,
  solveAsync,
  solveDirect,
  solveLanesReplay,
  solveReplay,
  type AdjointMethod,
  type LaneSteps,
  type Solution,
  type SolveOptions,
  type SolveStats,
} from '@nde/solvers';
import { DirectAdjoint } from './direct.js';
import { CustomBackwardAdjoint } from './op.js';
import { argTensors, paramsFor, type NamedParams, type ParamsSpec } from './params.js';
import { isOdeTerm, probeOf } from './terms.js';
import { dotTrees } from './vjp.js';

/** Options of {@link valueAndGrads}. */
export interface ValueAndGradsOptions<Y extends Tree = Tree, A = unknown> {
  /** The loss as a function of the saved states (stacked `[ts.length, ...]` per leaf); must return a scalar. */
  readonly loss: (ys: Y, solution: Solution<Y>) => tf.Tensor;
  /** What `solve` takes (its `adjoint`, if any, is used unless `adjoint` is given). */
  readonly solveOptions: SolveOptions<Y, A>;
  /** Parameters to differentiate (default: the adjoint's, else found by probing the terms). */
  readonly params?: ParamsSpec;
  /** Gradient strategy (default `DirectAdjoint`). */
  readonly adjoint?: AdjointMethod;
  /** Compute dL/dt0 and dL/dt1 (ODE terms only; default true for ODEs). */
  readonly timeGrads?: boolean;
}

/** Gradients. Every tensor is owned by the caller (`result.dispose()` frees them all). */
export interface Grads<Y extends Tree = Tree> {
  /** dL/dy0, shaped like y0. */
  readonly y0: Y;
  /** dL/dθ by readable parameter name (module names such as `layers.0.weight`). */
  readonly params: Record<string, tf.Tensor>;
  /** The same tensors as `{ name: variable.name, tensor }`: pass to `optimizer.applyGradients`. */
  readonly variables: { name: string; tensor: tf.Tensor }[];
  /** dL/d(tensor) for each tensor in `args`, in the order of `argTensors(args)`. */
  readonly args: tf.Tensor[];
  /**
   * dL/dt0 = −a(t0⁺)·f(t0, y0) (ODE terms with `timeGrads`). Saved times equal to t0 or t1 move with
   * them; interior `saveAt.ts` are held fixed.
   */
  readonly t0?: tf.Scalar;
  /** dL/dt1 = a(t1)·f(t1, y(t1)) (ODE terms with `timeGrads`). */
  readonly t1?: tf.Scalar;
}

/** What {@link valueAndGrads} returns. */
export interface ValueAndGradsResult<Y extends Tree = Tree> {
  /** The loss (scalar, owned by the caller). */
  readonly value: tf.Scalar;
  /** Gradients of the loss with respect to y0, the parameters, the tensors in `args` and (ODEs) the end times. */
  readonly grads: Grads<Y>;
  /** Stats of the differentiated solve. */
  readonly stats: SolveStats;
  /** Saving times of the solve. */
  readonly ts: number[];
  /** Dispose the value and every gradient. */
  dispose(): void;
}

type Driver = (o: SolveOptions<Tree, unknown>) => Solution<Tree>;

function paramsOf(o: ValueAndGradsOptions<Tree, unknown>, adjoint: AdjointMethod): NamedParams {
  const so = o.solveOptions as SolveOptions<Tree, unknown>;
  if (o.params) return paramsFor(o.params, probeOf(so));
  if (adjoint instanceof CustomBackwardAdjoint) return adjoint.paramsOf(so);
  const spec = (adjoint as { params?: ParamsSpec }).params;
  return paramsFor(spec, probeOf(so));
}

/** An identity per leaf that records the cotangent flowing back into it. */
function capture(ys: Tree, sink: (tf.Tensor | undefined)[]): Tree {
  const { leaves, def } = treeFlatten(ys);
  const out = leaves.map((x, i) =>
    (
      tf.customGrad(((v: tf.Tensor) => ({
        value: v.clone(),
        gradFunc: (dy: tf.Tensor) => {
          sink[i] = tf.keep(dy.clone());
          return [dy];
        },
      })) as never) as (v: tf.Tensor) => tf.Tensor
    )(x),
  );
  return treeUnflatten(def, out);
}

function run<Y extends Tree, A>(o: ValueAndGradsOptions<Y, A>, driver: Driver): ValueAndGradsResult<Y> {
  const so = o.solveOptions as unknown as SolveOptions<Tree, unknown>;
  const adjoint = o.adjoint ?? so.adjoint ?? new DirectAdjoint();
  const named = paramsOf(o as unknown as ValueAndGradsOptions<Tree, unknown>, adjoint);
  const args = argTensors(so.args);
  const y0 = treeFlatten(so.y0);
  const xs = [...y0.leaves, ...named.vars, ...args];
  const { adjoint: _drop, ...rest } = so;
  void _drop;
  const sink: (tf.Tensor | undefined)[] = [];
  let ts: number[] = [];
  let stats: SolveStats = { nfe: 0, accepted: 0, rejected: 0, steps: 0, hostReads: 0 };
  let ysKept: Tree | undefined;
  const wantTime = (o.timeGrads ?? true) && isOdeTerm(so.terms);
  let r: { value: tf.Tensor; grads: (tf.Tensor | null | undefined)[] };
  try {
    r = withOuterTape(() =>
      tf.engine().gradients(
        () => {
          const sol = adjoint.solve(rest, driver as never) as Solution<Tree>;
          ts = sol.ts;
          stats = sol.stats;
          if (!sol.ys)
            throw new InvalidArgumentError(
              'solveOptions.saveAt',
              'saves nothing, so there is no loss to differentiate.',
              'Save e.g. saveAt: { t1: true }.',
            );
          if (wantTime)
            ysKept = treeUnflatten(
              treeFlatten(sol.ys).def,
              treeLeaves(sol.ys).map((l) => tf.keep(l.clone())),
            );
          // The cotangents of the saved states are only needed for dL/dt0 and dL/dt1.
          const ys = wantTime ? capture(sol.ys, sink) : sol.ys;
          const loss = o.loss(ys as Y, sol as unknown as Solution<Y>);
          if (loss.size !== 1)
            throw new InvalidArgumentError(
              'loss',
              `must return a scalar (got shape [${loss.shape}]).`,
              'Reduce it, e.g. tf.sum(...) or tf.mean(...).',
            );
          return loss.reshape([]);
        },
        xs,
        undefined,
        true,
      ),
    );
  } catch (e) {
    // What the forward pass kept past its scope (a bad loss, a failed solve) is released here.
    treeDispose(ysKept);
    sink.forEach((x) => x?.dispose());
    throw e;
  }
  const value = tf.keep(r.value);
  const grads = r.grads.map((g) => (g ? tf.keep(g) : g));
  const full = grads.map((g, i) => g ?? tf.zerosLike(xs[i] as tf.Tensor));
  const nY = y0.leaves.length;
  const nP = named.vars.length;
  const gy0 = treeUnflatten<Y>(y0.def, full.slice(0, nY));
  const params: Record<string, tf.Tensor> = {};
  const variables: { name: string; tensor: tf.Tensor }[] = [];
  named.vars.forEach((v, i) => {
    params[named.names[i] as string] = full[nY + i] as tf.Tensor;
    variables.push({ name: v.name, tensor: full[nY + i] as tf.Tensor });
  });
  const gArgs = full.slice(nY + nP);
  let t0: tf.Scalar | undefined;
  let t1: tf.Scalar | undefined;
  if (wantTime && ysKept) {
    const vf = (so.terms as { vf: (t: number, y: Tree, a: unknown) => Tree }).vf;
    const ysLeaves = treeLeaves(ysKept);
    const ctLeaves = ysLeaves.map((l, i) => sink[i] ?? tf.zerosLike(l));
    const at = (leaves: tf.Tensor[], i: number): Tree =>
      treeUnflatten(
        y0.def,
        leaves.map((l) => tf.squeeze(tf.slice(l, [i], [1]), [0])),
      );
    ({ t0, t1 } = tf.tidy(() => {
      let g1: tf.Tensor = tf.scalar(0);
      let ctAtT0: Tree | undefined;
      ts.forEach((t, i) => {
        if (t === so.t1) g1 = tf.add(g1, dotTrees(at(ctLeaves, i), vf(so.t1, at(ysLeaves, i), so.args)));
        if (t === so.t0)
          ctAtT0 = ctAtT0
            ? treeUnflatten(
                y0.def,
                treeLeaves(ctAtT0).map((c, j) => tf.add(c, treeLeaves(at(ctLeaves, i))[j] as tf.Tensor)),
              )
            : at(ctLeaves, i);
      });
      const a0 = ctAtT0
        ? treeUnflatten(
            y0.def,
            treeLeaves(gy0).map((g, j) => tf.sub(g, treeLeaves(ctAtT0 as Tree)[j] as tf.Tensor)),
          )
        : gy0;
      const g0 = tf.neg(dotTrees(a0, vf(so.t0, so.y0, so.args)));
      return { t0: g0 as tf.Scalar, t1: g1 as tf.Scalar };
    }));
  }
  treeDispose(ysKept);
  sink.forEach((c) => c?.dispose());
  const all = [value, ...full, ...(t0 ? [t0] : []), ...(t1 ? [t1] : [])];
  return {
    value: value as tf.Scalar,
    grads: { y0: gy0, params, variables, args: gArgs, ...(t0 ? { t0 } : {}), ...(t1 ? { t1 } : {}) },
    stats,
    ts,
    dispose: () => all.forEach((x) => x.dispose()),
  };
}

/**
 * Loss and gradients of a solve with any adjoint (synchronous reads: cpu, wasm, webgl).
 *
 * @param options - `loss(ys, solution)` returning a scalar, the `solveOptions` of the solve, and optionally the
 *   `params` to differentiate (a module, variables or names; default: found by probing the terms), the `adjoint`
 *   (default `DirectAdjoint`) and `timeGrads` (dL/dt0, dL/dt1 for ODEs; default true).
 * @returns the loss and dL/dy0, dL/dθ, dL/dargs, dL/dt0, dL/dt1; owned by the caller (`dispose()`).
 *
 * @example
 * ```ts
 * const opt = tf.train.adam(1e-2);
 * const r = valueAndGrads({
 *   loss: (ys) => tf.mean(tf.square(tf.sub(ys as tf.Tensor, target))),
 *   solveOptions: { terms: new ODETerm((t, y) => mlp.apply(y as tf.Tensor)), solver: 'dopri5', t0: 0, t1: 1, y0 },
 *   params: mlp,
 *   adjoint: new BacksolveAdjoint(),
 * });
 * opt.applyGradients(r.grads.variables);
 * r.dispose();
 * ```
 */
export function valueAndGrads<Y extends Tree, A = unknown>(options: ValueAndGradsOptions<Y, A>): ValueAndGradsResult<Y> {
  return run(options, solveDirect as Driver);
}

/**
 * The step grid a solve takes, from an async forward solve: the ordinary loop (one read per step)
 * or, with `onDevice`, the device-resident one (one read per k steps; its packets carry the grid).
 */
async function stepGrid<Y extends Tree, A>(so: SolveOptions<Y, A>): Promise<{ grid: number[]; stats: SolveStats; lanes?: LaneSteps }> {
  const { adjoint: _a, saveAt: _s, ...rest } = so;
  void _a;
  void _s;
  const grid = [so.t0];
  // A failed forward cannot be trained through (its grid or record stops short of t1).
  const sol = await solveAsync({
    ...rest,
    saveAt: { t1: true },
    throwOnFailure: true,
    ...(so.onDevice
      ? { onDevice: { ...so.onDevice, recordLanes: so.onDevice.perSample ?? false } }
      : { onStep: (t: number) => grid.push(t) }),
  });
  sol.dispose();
  return { grid: sol.stepTimes ? [...grid, ...sol.stepTimes] : grid, stats: sol.stats, ...(sol.laneSteps ? { lanes: sol.laneSteps } : {}) };
}

/**
 * {@link valueAndGrads} that never calls `dataSync()`, so adaptive solves train on WebGPU.
 *
 * Design: the forward solve runs once with `solveAsync` (accept/reject decisions read with
 * `await data()`) only to learn the accepted step grid; then the solve is replayed synchronously on
 * that fixed grid with `StepTo` under the tape. A fixed-grid replay needs no read at all (the one
 * read the loop would make, "is y0 finite?", was answered by the async solve), so it is run with
 * `solveReplay`. The replay takes exactly the forward's steps, so the gradients are those of the
 * adaptive solve; an adjoint that would adapt its own backward steps (BacksolveAdjoint) steps on
 * the same grid reversed. The loss value is read by the caller (`await value.data()`).
 *
 * With `solveOptions.onDevice` the forward is the device-resident loop: the host reads once every
 * k steps instead of once a step, and learns the grid from those same reads (`stats.hostReads`
 * counts them; the replay adds none). With `perSample`, the forward records every lane's steps in
 * those reads and the replay retakes them on the device loop itself (DirectAdjoint only).
 *
 * @param options - as for {@link valueAndGrads}.
 * @returns a promise of the loss and gradients; owned by the caller (`dispose()`).
 *
 * @example
 * ```ts
 * await tf.setBackend('webgpu');
 * const r = await valueAndGradsAsync({ loss: (ys) => tf.sum(ys as tf.Tensor), solveOptions, params: mlp });
 * optimizer.applyGradients(r.grads.variables);
 * r.dispose();
 * ```
 */
export async function valueAndGradsAsync<Y extends Tree, A = unknown>(
  options: ValueAndGradsOptions<Y, A>,
): Promise<ValueAndGradsResult<Y>> {
  const so = options.solveOptions;
  const forward = await stepGrid(so);
  let result: ValueAndGradsResult<Y>;
  if (forward.lanes) {
    // Per-sample steps: the replay retakes each lane's recorded steps on the device loop itself.
    const adjoint = options.adjoint ?? so.adjoint;
    if (adjoint && !(adjoint instanceof DirectAdjoint)) {
      throw new UnsupportedError(
        'adjoint',
        `'${adjoint.name}' cannot replay per-sample device-resident steps; only DirectAdjoint (backpropagation through the replay) can.`,
        'Drop the adjoint (DirectAdjoint is the default), or drop onDevice.perSample.',
      );
    }
    const lanes = forward.lanes;
    result = run(options, ((o: SolveOptions<Tree, unknown>) => solveLanesReplay(o, lanes)) as Driver);
  } else {
    const { dt0: _dt0, onDevice: _onDevice, ...rest } = so;
    void _dt0;
    void _onDevice;
    const replay: SolveOptions<Y, A> = { ...rest, stepSizeController: new StepTo(forward.grid), checkFinite: false };
    result = run({ ...options, solveOptions: replay }, solveReplay as unknown as Driver);
  }
  // The replay reads nothing: the reads and any masked steps are the forward's; a lane replay retakes
  // accepted steps only, so its step counts are the forward's too.
  const { accepted, rejected, steps, wastedSteps } = forward.stats;
  const stats: SolveStats = {
    ...result.stats,
    ...(forward.lanes ? { accepted, rejected, steps } : {}),
    hostReads: forward.stats.hostReads + result.stats.hostReads,
    ...(wastedSteps !== undefined ? { wastedSteps } : {}),
  };
  return { ...result, stats };
}
