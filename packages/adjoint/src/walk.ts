/**
 * The one backward walk of the continuous adjoints (backsolve for ODEs, the stochastic adjoint for
 * SDEs): from the last saved time back to t0, solve the augmented system [y, a, dL/dθ, dL/dargs]
 * over each interval between saved times, then reset y to the forward value there and add the
 * incoming dL/dy to a. How the augmented state is laid out (one flat vector, or a tree) is an
 * option ({@link AugmentedLayout}), as is what solves an interval; the controller's state (step
 * size, error history) is carried from one interval to the next instead of restarting.
 */
import * as tf from '@tensorflow/tfjs';
import { tidyTree, treeAdd, treeDispose, treeFlatten, treeLeaves, treeUnflatten, type Tree, type TreeDef } from '@nde/core';
import type { Solution } from '@nde/solvers';
import { sliceTree } from './op.js';

/** The parts of the augmented state. */
export interface AugmentedParts {
  /** The state, solved backwards. */
  readonly y: Tree;
  /** The adjoint dL/dy. */
  readonly a: Tree;
  /** dL/dθ, one per parameter. */
  readonly p: readonly tf.Tensor[];
  /** dL/d(args tensors), one per tensor. */
  readonly g: readonly tf.Tensor[];
}

/**
 * How the augmented state is held: its parts as a tree, or packed into one vector (so every
 * Runge–Kutta stage and the error norm cost one op each instead of one per part). `view` and `build`
 * are pure tensor functions (they neither take nor release anything).
 * @internal
 */
export interface AugmentedLayout<S extends Tree> {
  /** The parts of a state (new tensors for a packed layout, the state's own for a tree). */
  view(s: S): AugmentedParts;
  /** Only y and a: what the augmented vector field reads (a packed layout cuts and reshapes nothing else). */
  viewStateAndAdjoint(s: S): Pick<AugmentedParts, 'y' | 'a'>;
  /** A state from its parts. */
  build(parts: AugmentedParts): S;
}

/** Every leaf of `old` that `kept` does not hold, disposed: ownership by identity, not by creation order. */
function releaseExcept(old: Tree, kept: Tree): void {
  const keep = new Set(treeLeaves(kept));
  treeLeaves(old).forEach((x) => {
    if (!keep.has(x)) x.dispose();
  });
}

/** The augmented state as a tree `{ y, a, p, g }`. @internal */
export const treeLayout: AugmentedLayout<Tree> = {
  view: (s) => s as unknown as AugmentedParts,
  viewStateAndAdjoint: (s) => s as unknown as AugmentedParts,
  build: (parts) => ({ y: parts.y, a: parts.a, p: [...parts.p], g: [...parts.g] }),
};

/**
 * The augmented state as one vector: y's leaves, a's leaves (shaped like y), the parameters', the
 * args tensors'.
 * @param yDef - the structure of y (and of a)
 * @param shapes - every part's shape, in packing order
 * @param counts - how many leaves y (and a) has, and how many parameters
 * @internal
 */
export function flatLayout(yDef: TreeDef, shapes: readonly number[][], counts: { y: number; p: number }): AugmentedLayout<tf.Tensor> {
  const sizes = shapes.map((sh) => sh.reduce((a, b) => a * b, 1));
  const { y: nY, p: nP } = counts;
  const shaped = (x: tf.Tensor, i: number): tf.Tensor =>
    x.rank === 1 && (shapes[i] as number[]).length === 1 ? x : x.reshape(shapes[i] as number[]);
  const headSizes = sizes.slice(0, 2 * nY);
  return {
    // Slices, not a split: a split's unused last piece would be left without a gradient (implicit backward solves differentiate this).
    viewStateAndAdjoint: (v) => {
      let offset = 0;
      const head = headSizes.map((n, i) => {
        const piece = tf.slice(v, [offset], [n]);
        offset += n;
        const out = shaped(piece, i);
        if (out !== piece) piece.dispose();
        return out;
      });
      return { y: treeUnflatten(yDef, head.slice(0, nY)), a: treeUnflatten(yDef, head.slice(nY)) };
    },
    view: (v) => {
      const parts = sizes.length === 1 ? [v.reshape(shapes[0] as number[])] : tf.split(v, sizes).map((x, i) => shaped(x, i));
      return {
        y: treeUnflatten(yDef, parts.slice(0, nY)),
        a: treeUnflatten(yDef, parts.slice(nY, 2 * nY)),
        p: parts.slice(2 * nY, 2 * nY + nP),
        g: parts.slice(2 * nY + nP),
      };
    },
    build: (parts) => {
      const all = [...treeLeaves(parts.y), ...treeLeaves(parts.a), ...parts.p, ...parts.g];
      // Rank-1 parts (biases' gradients) go in as they are: no Reshape kernel.
      const flat = (x: tf.Tensor): tf.Tensor => (x.rank === 1 ? x : x.reshape([-1]));
      return all.length === 1 ? (all[0] as tf.Tensor).reshape([-1]) : tf.concat(all.map(flat));
    },
  };
}

/** What the walk needs. @internal */
export interface BackwardWalk<S extends Tree> {
  /** The saved states of the forward solve, stacked. */
  readonly ys: Tree;
  /** dL/dys, stacked like `ys`. */
  readonly cotangent: Tree;
  /** The saving times. */
  readonly ts: readonly number[];
  /** Start of the forward solve. */
  readonly t0: number;
  /** The parameters and args tensors, for the zero gradients the walk starts from. */
  readonly params: readonly tf.Tensor[];
  /** The args tensors being differentiated. */
  readonly args: readonly tf.Tensor[];
  /** How the augmented state is held. */
  readonly layout: AugmentedLayout<S>;
  /**
   * Carry y in the augmented state, reset to the saved value at each saved time (default true).
   * False when the augmented system reads y from elsewhere (the forward's dense output): its `y`
   * part is then an empty tree.
   */
  readonly carryState?: boolean;
  /**
   * Solve the augmented system from `from` to `to`, saving only the end; `controllerState` is the
   * previous interval's (undefined for the first). The walk disposes the solution.
   */
  solveInterval(s: S, from: number, to: number, controllerState: unknown): Solution<Tree>;
}

/**
 * Walk the saved times backwards (see the module doc). Returns dL/dy0, dL/dθ and dL/dargs, new
 * tensors owned by the caller.
 * @param w - the saved states and cotangents, the layout, and how to solve one interval
 * @internal
 */
export function walkBackward<S extends Tree>(w: BackwardWalk<S>): { y0: Tree; params: tf.Tensor[]; args: tf.Tensor[] } {
  const { layout, ts } = w;
  const T = ts.length;
  const slice = (stacked: Tree, k: number): Tree => sliceTree(stacked, k);
  const carry = w.carryState ?? true;
  const stateAt = (k: number): Tree => (carry ? slice(w.ys, k) : []);
  let s = tidyTree(() =>
    layout.build({
      y: stateAt(T - 1),
      a: slice(w.cotangent, T - 1),
      p: w.params.map((p) => tf.zerosLike(p)),
      g: w.args.map((x) => tf.zerosLike(x)),
    }),
  );
  let controllerState: unknown;
  let tCur = ts[T - 1] as number;
  for (let k = T - 1; k >= 0; k--) {
    const tPrev = k > 0 ? (ts[k - 1] as number) : w.t0;
    if (tPrev !== tCur) {
      const sol = w.solveInterval(s, tCur, tPrev, controllerState);
      controllerState = sol.controllerState;
      const next = sliceTree(sol.ys as Tree, 0) as S;
      sol.dispose();
      treeDispose(s);
      s = next;
    }
    if (k > 0) {
      // Reset y to the forward value at t_{k-1} and add dL/dy(t_{k-1}) to a.
      const prev = s;
      s = tidyTree(() => {
        const parts = layout.view(prev);
        return layout.build({ ...parts, y: stateAt(k - 1), a: treeAdd(parts.a, slice(w.cotangent, k - 1)) });
      });
      releaseExcept(prev, s);
    }
    tCur = tPrev;
  }
  const parts = tidyTree(() => {
    const v = layout.view(s);
    // Fresh copies only where the view made nothing new (the tree layout): the state is released below.
    return { y: v.y, a: v.a, p: [...v.p], g: [...v.g] } as unknown as Tree;
  }) as unknown as AugmentedParts;
  releaseExcept(s, parts as unknown as Tree);
  treeDispose(parts.y);
  return { y0: parts.a, params: [...parts.p], args: [...parts.g] };
}

/** The structure and leaf count of a tree. @internal */
export function structureOf(y: Tree): { def: TreeDef; count: number } {
  const { def, leaves } = treeFlatten(y);
  return { def, count: leaves.length };
}
