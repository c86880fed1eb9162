/**
 * `RecursiveCheckpointAdjoint`: the gradients of {@link DirectAdjoint} (discretize-then-optimize,
 * equal to float32 rounding) in memory O(checkpoints + steps/checkpoints) instead of O(steps).
 *
 * Forward: the solve runs once with the tape off to learn the accepted step grid, then once more on
 * that grid (`StepTo`) storing the state at `checkpoints − 1` evenly spaced steps. Backward: the
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
  /** Number of segments the accepted step grid is cut into (default 16); `checkpoints − 1` states are stored. */
  readonly checkpoints: number;

  constructor(options: CheckpointAdjointOptions = {}) {
    super(options);
    const n = options.checkpoints ?? 16;
    if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError('checkpoints', `must be an integer ≥ 1 (got ${n}).`);
    this.checkpoints = n;
  }

  /** Solve once, recording the accepted step grid, then replay it to store the state at each segment boundary. */
  protected forward(
    o: SolveOptions<Tree, unknown>,
    solveDirect: (o: SolveOptions<Tree, unknown>) => Solution<Tree>,
  ): ForwardResult<CheckpointMeta> {
    const solver = typeof o.solver === 'string' ? resolveSolver(o.solver, isSdeTerm(o.terms) ? 'sde' : 'ode') : o.solver;
    if (solver.multistep) {
      throw new UnsupportedError(
        'solver',
        `RecursiveCheckpointAdjoint replays segments from stored states, and '${solver.name}' is a multistep method whose steps also read their history.`,
        'Use DirectAdjoint (gradients through the history) or BacksolveAdjoint with this solver, or a one-step method (kvaerno5) with checkpointing.',
      );
    }
    const { options, grid } = withGrid(o);
    const solution = solveDirect(options);
    const N = grid.length - 1;
    const n = Math.max(1, Math.min(this.checkpoints, N));
    const bounds = Array.from({ length: n + 1 }, (_, k) => Math.round((k * N) / n));
    const keep: tf.Tensor[] = [];
    let y: Tree = o.y0;
    for (let k = 1; k < n; k++) {
      const sol = solveDirect(segment(o, grid, bounds[k - 1] as number, bounds[k] as number, y, []));
      const next = sliceTree(sol.ys as Tree, 0);
      sol.dispose();
      keep.push(...treeLeaves(next));
      y = next;
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
