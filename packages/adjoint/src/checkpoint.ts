/**
 * `RecursiveCheckpointAdjoint`: the gradients of {@link DirectAdjoint} (discretize-then-optimize,
 * equal to float32 rounding) in memory O(checkpoints + steps/checkpoints) instead of O(steps).
 *
 * Forward: the solve runs once with the tape off, recording the accepted step grid and keeping the
 * state at `checkpoints − 1` nearly evenly spaced steps (held at a doubling stride while the step
 * count is unknown, so at most 2·checkpoints + 1 states are alive at once). Backward: the
 * segments are replayed in reverse order from their checkpoints on the same grid, each under the
 * tape, and backpropagated one at a time — only one segment's tape is alive at once. The
 * replay takes exactly the forward's steps, so the result is the direct gradient.
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  UnsupportedError,
  tidyTree,
  treeAdd,
  treeDispose,
  treeFlatten,
  treeLeaves,
  treeUnflatten,
  treeZerosLike,
  treeClone,
  type Tree,
} from '@nde/core';
import {
  StepTo,
  isAdaptiveController,
  isSdeTerm,
  resolveSolver,
  type Solution,
  type SolveOptions,
  type StepTolerances,
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
import { dotTrees, vjp } from './vjp.js';

/** Options of {@link RecursiveCheckpointAdjoint}. */
export interface CheckpointAdjointOptions extends AdjointOptions {
  /** Number of segments (stored states + 1) the step grid is cut into (default 16). */
  readonly checkpoints?: number;
}

/** What {@link RecursiveCheckpointAdjoint}'s forward pass keeps for its backward pass. */
export interface CheckpointMeta {
  /** Times of every accepted step of the forward solve. */
  grid: number[];
  /** Indices into `grid` where the stored checkpoints sit. */
  bounds: number[];
}

/**
 * Checkpointed discretize-then-optimize gradients.
 *
 * @example
 * ```ts
 * const sol = solve({ ...options, adjoint: new RecursiveCheckpointAdjoint({ checkpoints: 8 }) });
 * ```
 */
export class RecursiveCheckpointAdjoint extends CustomBackwardAdjoint<CheckpointMeta> {
  /** Identifier of this adjoint: `'checkpoint'`. */
  readonly name = 'checkpoint';
  /** Number of segments the accepted step grid is cut into (default 16); at most `checkpoints − 1` states are stored. */
  readonly checkpoints: number;

  constructor(options: CheckpointAdjointOptions = {}) {
    super(options);
    const n = options.checkpoints ?? 16;
    if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError('checkpoints', `must be an integer ≥ 1 (got ${n}).`);
    this.checkpoints = n;
  }

  /** Solve once, recording the accepted step grid and keeping the state at each segment boundary. */
  protected forward(
    o: SolveOptions<Tree, unknown>,
    solveDirect: (o: SolveOptions<Tree, unknown>) => Solution<Tree>,
  ): ForwardResult<CheckpointMeta> {
    const solver = typeof o.solver === 'string' ? resolveSolver(o.solver, isSdeTerm(o.terms) ? 'sde' : 'ode') : o.solver;
    if (solver.multistep) {
      throw new UnsupportedError(
        'solver',
        `RecursiveCheckpointAdjoint replays segments from stored states, and the steps of '${solver.name}' also read state carried from earlier steps (a multistep history, or reversible Heun's ŷ), so a replay would not reproduce them.`,
        "Use DirectAdjoint (gradients through the carried state) or BacksolveAdjoint with this solver (ReversibleAdjoint for 'reversible_heun'), or a one-step method (kvaerno5, midpoint) with checkpointing.",
      );
    }
    // One pass: the loop hands each accepted state to onStep, and states are kept at every s-th step,
    // s doubling (every other kept state dropped) whenever more than 2·checkpoints are held, so at most
    // 2·checkpoints + 1 states are alive and the stored steps stay evenly spaced whatever the step count.
    const kept = new Map<number, Tree>();
    let stride = 1;
    let step = 0;
    const user = o.onStep;
    const { options, grid } = withGrid({
      ...o,
      onStep: (t, stats, y) => {
        step++;
        if (step % stride === 0) {
          kept.set(step, treeClone(y));
          if (kept.size > 2 * this.checkpoints) {
            stride *= 2;
            for (const [i, state] of kept) {
              if (i % stride !== 0) {
                treeDispose(state);
                kept.delete(i);
              }
            }
          }
        }
        user?.(t, stats, y);
      },
    });
    let solution: Solution<Tree>;
    try {
      solution = solveDirect(options);
    } catch (e) {
      for (const state of kept.values()) treeDispose(state);
      throw e;
    }
    const N = grid.length - 1;
    const n = Math.max(1, Math.min(this.checkpoints, N));
    // Boundaries at the kept steps nearest to an even split (distinct, increasing, inside (0, N)).
    const candidates = [...kept.keys()].filter((i) => i > 0 && i < N);
    const bounds = [0];
    for (let k = 1; k < n; k++) {
      const target = (k * N) / n;
      let best: number | undefined;
      for (const i of candidates) {
        if (i <= (bounds[bounds.length - 1] as number)) continue;
        if (best === undefined || Math.abs(i - target) < Math.abs(best - target)) best = i;
      }
      // best exceeds the last boundary by construction, so bounds stay distinct and increasing.
      if (best !== undefined) bounds.push(best);
    }
    bounds.push(N);
    const keep: tf.Tensor[] = [];
    for (const [i, state] of kept) {
      if (bounds.includes(i) && i !== N) keep.push(...treeLeaves(state));
      else treeDispose(state);
    }
    return { solution, keep, meta: { grid, bounds } };
  }

  /**
   * Replay the segments in reverse from their checkpoints, each under the tape, and backpropagate through one at a
   * time.
   */
  protected backward(input: BackwardInput<CheckpointMeta>): BackwardOutput {
    const { options: o, meta, ts, cotangent, kept, params, args } = input;
    const { grid, bounds } = meta;
    const { def: yDef, leaves: y0Leaves } = treeFlatten(o.y0);
    const nY = y0Leaves.length;
    const dir = (grid[grid.length - 1] as number) >= (grid[0] as number) ? 1 : -1;
    const n = bounds.length - 1;
    let carry: Tree = treeZerosLike(o.y0);
    const pAcc = params.map((p) => tf.zerosLike(p));
    const gAcc = args.map((x) => tf.zerosLike(x));
    const ctLeaves = treeLeaves(cotangent);
    for (let k = n; k >= 1; k--) {
      const tStart = grid[bounds[k - 1] as number] as number;
      const tEnd = grid[bounds[k] as number] as number;
      // Saved times in (tStart, tEnd] belong to this segment.
      const idx = ts.map((t, i) => ({ t, i })).filter(({ t }) => (t - tStart) * dir > 0 && (t - tEnd) * dir <= 0);
      const start: Tree = k === 1 ? o.y0 : treeUnflatten(yDef, kept.slice((k - 2) * nY, (k - 1) * nY));
      const startLeaves = treeLeaves(start);
      const first = idx[0]?.i ?? 0;
      const m = idx.length;
      const ct = tidyTree(() =>
        treeUnflatten(
          yDef,
          treeLeaves(carry).map((c, j) =>
            m > 0 ? tf.concat([tf.slice(ctLeaves[j] as tf.Tensor, [first], [m]), tf.expandDims(c, 0)]) : tf.expandDims(c, 0),
          ),
        ),
      );
      const grads = vjp(() => {
        const sol = input.solve(
          segment(
            o,
            grid,
            bounds[k - 1] as number,
            bounds[k] as number,
            start,
            idx.map((x) => x.t),
          ),
        );
        return dotTrees(sol.ys as Tree, ct);
      }, [...startLeaves, ...params, ...args]);
      treeDispose(ct, carry);
      carry = treeUnflatten(yDef, grads.slice(0, nY));
      accumulate(pAcc, grads.slice(nY, nY + params.length));
      accumulate(gAcc, grads.slice(nY + params.length));
    }
    // Saved states at t0 are y0 itself.
    ts.forEach((t, i) => {
      if (t === o.t0) {
        const c = sliceTree(cotangent, i);
        const next = treeAdd(carry, c);
        treeDispose(carry, c);
        carry = next;
      }
    });
    return { y0: carry, params: pAcc, args: gAcc };
  }
}

/** Add `gs` into `acc` in place (disposing both old accumulators and `gs`). @internal */
export function accumulate(acc: tf.Tensor[], gs: readonly tf.Tensor[]): void {
  gs.forEach((g, i) => {
    const next = tf.add(acc[i] as tf.Tensor, g);
    (acc[i] as tf.Tensor).dispose();
    g.dispose();
    acc[i] = next;
  });
}

/** Options replaying grid steps i0..i1 from state y, saving at `ts` and at the end. */
function segment(
  o: SolveOptions<Tree, unknown>,
  grid: readonly number[],
  i0: number,
  i1: number,
  y: Tree,
  ts: readonly number[],
): SolveOptions<Tree, unknown> {
  return {
    terms: o.terms,
    solver: o.solver,
    t0: grid[i0] as number,
    t1: grid[i1] as number,
    y0: y,
    args: o.args,
    // The forward's Newton tolerances, so implicit steps converge as they did in the forward.
    stepSizeController: new StepTo(grid.slice(i0, i1 + 1), forwardTolerances(o)),
    saveAt: ts.length ? { ts, t1: true } : { t1: true },
    maxSteps: Math.max(16, i1 - i0 + 1),
    checkFinite: false,
  };
}

/** The forward controller's tolerances (for a replay's implicit steps), when it has them. */
function forwardTolerances(o: SolveOptions<Tree, unknown>): { stepTolerances?: StepTolerances } {
  const c = o.stepSizeController;
  if (c && isAdaptiveController(c)) return { stepTolerances: { rtol: c.rtol, atol: c.atol } };
  return c?.stepTolerances ? { stepTolerances: c.stepTolerances } : {};
}
