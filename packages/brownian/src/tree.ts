/**
 * {@link VirtualBrownianTree}: Brownian motion in constant memory, as diffrax's `VirtualBrownianTree`
 * (Gaines & Lyons 1997; Li et al. 2020). W(t) is found by bisecting `[t0, t1]` with the Brownian bridge
 * (the Brownian arch with space-time Lévy area) down to leaves no longer than `tol`; the noise of every
 * node comes from a key that depends only on the node, so any query gives the same answer whatever was
 * asked before. The root-to-leaf path of the last query is kept, so nearby queries (a solver stepping
 * forward, or back) redo only the last few levels.
 *
 * @example
 * ```ts
 * import { VirtualBrownianTree } from '@nde/brownian';
 * const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [32, 2], key: 0, tol: 1e-6 });
 * const dW = bm.evaluate(0.25, 0.5); // same values whatever the query order
 * dW.dispose();
 * ```
 */
import { BrownianBase, checkPositive } from './base.js';
import { DyadicCore, depthFor, type NodeState } from './dyadic.js';
import type { BrownianOptions } from './types.js';

/** Options of {@link VirtualBrownianTree}. */
export interface VirtualBrownianTreeOptions extends BrownianOptions {
  /**
   * Resolution in time units (default `1e-6·(t1 - t0)`): the tree is bisected until intervals are no
   * longer than `tol` (at most 50 levels). Values are exactly Brownian at the dyadic points; inside a leaf
   * each point has the exact conditional law given the leaf's increment (and Lévy area).
   */
  tol?: number;
}

/** Constant-memory Brownian motion reproducible for any query order (see the module docs). */
export class VirtualBrownianTree extends BrownianBase {
  /** The resolution in time units. */
  readonly tol: number;
  /** Number of bisection levels. */
  readonly depth: number;
  private readonly core: DyadicCore;
  private readonly path: NodeState[];
  private valid = 0;
  private readonly leafFn = (r: number): NodeState => this.leaf(r);

  /**
   * @throws `InvalidArgumentError` for a bad interval, shape, key, `levyArea` or `tol <= 0`.
   * @example
   * ```ts
   * new VirtualBrownianTree({ t0: 0, t1: 1, shape: [8, 3], key: 1, levyArea: 'space-time' });
   * ```
   */
  constructor(options: VirtualBrownianTreeOptions) {
    super(options);
    this.tol = options.tol === undefined ? 1e-6 * (this.t1 - this.t0) : checkPositive('tol', options.tol);
    this.depth = depthFor(this.t1 - this.t0, this.tol);
    this.core = new DyadicCore(this.t0, this.t1, this.depth, this.size, this.hasH, this.streamKey);
    this.path = Array.from({ length: this.depth + 1 }, () => this.core.newState());
  }

  private contains(st: NodeState, r: number): boolean {
    return st.level === 0 || (r <= st.u && (r > st.s || st.s === this.t0));
  }

  /**
   * The node whose point formula gives W(r): the leaf containing `r`, or — when `r` is a dyadic point —
   * the shallowest node ending at `r` (its values hold W(r) exactly; nothing below it is sampled).
   * Reuses the cached path where it still applies.
   */
  private leaf(r: number): NodeState {
    const path = this.path;
    if (this.valid === 0) {
      this.core.root(path[0] as NodeState);
      this.valid = 1;
    }
    let l = this.valid - 1;
    while (l > 0 && !this.contains(path[l] as NodeState, r)) l--;
    // every ancestor of a node ending at r that also ends at r comes first: stop at the shallowest
    let top = l;
    while (top > 0 && (path[top - 1] as NodeState).u === r) top--;
    if ((path[top] as NodeState).u === r) {
      this.valid = l + 1;
      return path[top] as NodeState;
    }
    for (; l < this.depth; l++) {
      const st = path[l] as NodeState;
      const t = DyadicCore.mid(st.s, st.u);
      this.core.child(st, r > t, path[l + 1] as NodeState);
      if (DyadicCore.stopsAt(r, t)) {
        this.valid = l + 2;
        return path[l + 1] as NodeState;
      }
    }
    this.valid = this.depth + 1;
    return path[this.depth] as NodeState;
  }

  protected incrementInto(s: number, u: number, W: Float64Array, H: Float64Array | null): void {
    this.core.increment(s, u, W, H, this.leafFn);
  }
}
