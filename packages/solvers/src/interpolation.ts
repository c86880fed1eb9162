/**
 * Local interpolants of one step and the dense solution made of them.
 *
 * Every interpolant has the form `y(t0 + θh) = y0 + Σ_j w_j(θ) v_j` with trees `v_j` and scalar
 * weights — RK dense output (`v_j = k_j`, `w_j = h b_j(θ)`), cubic Hermite and linear all fit it,
 * so one evaluator serves them all.
 */
import * as tf from '@tensorflow/tfjs';
import { tidyTree, treeDispose, treeLinearCombination, type Tree } from '@nde/core';
import { InvalidArgumentError } from '@nde/core';

/** What a solver step hands back for interpolation (tensors owned by whoever holds it). */
export interface InterpolationData {
  /** Trees combined by the weights. */
  readonly vectors: readonly Tree[];
  /** Weights of `vectors` at θ ∈ [0, 1] (already multiplied by h where needed). */
  readonly weights: (theta: number) => number[];
}

/** A step's interpolant over [t0, t1] (t1 may be < t0 for backward solves). */
export class LocalInterpolant<Y extends Tree = Tree> {
  private endTime: number | undefined;

  constructor(
    /** Start time of the step. */
    readonly t0: number,
    /** End time of the step (less than `t0` in a backward solve). */
    readonly t1: number,
    /** State at `t0` (owned by this interpolant). */
    readonly y0: Y,
    /** Vectors and weights of the interpolating polynomial over the step. */
    readonly data: InterpolationData,
  ) {}

  /** Where this piece's validity ends: `t1`, or the event time that stopped the solve inside the step. */
  get end(): number {
    return this.endTime ?? this.t1;
  }

  /** Mark the piece as valid only up to `t` (an event inside the step); the polynomial is unchanged. */
  truncate(t: number): void {
    this.endTime = t;
  }

  /** y(t) for t in the step; a new tree owned by the caller. */
  evaluate(t: number): Y {
    const theta = this.t1 === this.t0 ? 0 : (t - this.t0) / (this.t1 - this.t0);
    return treeLinearCombination(this.y0, this.data.weights(theta), this.data.vectors);
  }

  /** Release the tensors this interpolant owns (y0 and the vectors). */
  dispose(): void {
    treeDispose(this.y0, ...this.data.vectors);
  }
}

/** Polynomial weights `h Σ_p coeffs[j][p] θ^(p+1)` for RK dense output. @internal */
export function polynomialWeights(coeffs: readonly (readonly number[])[], h: number): (theta: number) => number[] {
  return (theta) =>
    coeffs.map((cs) => {
      let acc = 0;
      for (let p = cs.length - 1; p >= 0; p--) acc = acc * theta + (cs[p] as number);
      return h * acc * theta;
    });
}

/** Cubic Hermite weights for vectors `[y1 - y0, f0, f1]`. @internal */
export function hermiteWeights(h: number): (theta: number) => number[] {
  return (s) => {
    const s2 = s * s;
    const s3 = s2 * s;
    return [3 * s2 - 2 * s3, h * (s3 - 2 * s2 + s), h * (s3 - s2)];
  };
}

/** Linear weights for vectors `[y1 - y0]`. @internal */
export function linearWeights(): (theta: number) => number[] {
  return (s) => [s];
}

/**
 * The dense solution: y(t) anywhere in the solved interval, from every accepted step's interpolant.
 * Owns its interpolants; call `dispose()` (or the solution's) when done.
 *
 * @example
 * ```ts
 * const sol = solve({ ..., saveAt: { dense: true } });
 * const yMid = sol.dense!.evaluate(0.5);
 * ```
 */
export class DenseInterpolation<Y extends Tree = Tree> {
  private readonly starts: number[];

  constructor(
    /** Interpolants of the accepted steps, in the order of integration (owned by this object). */
    readonly pieces: readonly LocalInterpolant<Y>[],
    /** +1 forward in time, -1 backward. */
    readonly direction: 1 | -1,
  ) {
    this.starts = pieces.map((p) => p.t0 * direction);
  }

  /** First time covered (the solve's `t0`; NaN when there are no pieces). */
  get t0(): number {
    return this.pieces[0]?.t0 ?? NaN;
  }

  /** Last time covered (where the solve stopped, the event time after a terminal event; NaN when there are no pieces). */
  get t1(): number {
    return this.pieces[this.pieces.length - 1]?.end ?? NaN;
  }

  /** y(t) (new tree owned by the caller). @throws InvalidArgumentError outside the solved interval. */
  evaluate(t: number): Y {
    const x = t * this.direction;
    const lo = this.t0 * this.direction;
    const hi = this.t1 * this.direction;
    if (!(x >= lo - 1e-12 * Math.max(1, Math.abs(lo)) && x <= hi + 1e-12 * Math.max(1, Math.abs(hi)))) {
      throw new InvalidArgumentError('t', `${t} is outside the dense solution's interval [${this.t0}, ${this.t1}].`);
    }
    // Binary search for the last piece starting at or before t.
    let a = 0;
    let b = this.starts.length - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if ((this.starts[m] as number) <= x) a = m;
      else b = m - 1;
    }
    return (this.pieces[a] as LocalInterpolant<Y>).evaluate(t);
  }

  /** Evaluate at many times, stacked along a new leading axis per leaf. */
  evaluateMany(ts: readonly number[]): Tree {
    const parts = ts.map((t) => this.evaluate(t));
    const out = tidyTree(() => stackTrees(parts));
    parts.forEach((p) => treeDispose(p));
    return out;
  }

  /** Release every interpolant. */
  dispose(): void {
    this.pieces.forEach((p) => p.dispose());
  }
}

/** Stack trees of equal structure along a new leading axis, leaf by leaf. @internal */
export function stackTrees(trees: readonly Tree[]): Tree {
  const first = trees[0];
  if (first === undefined) throw new InvalidArgumentError('trees', 'nothing to stack.');
  if (first instanceof tf.Tensor) return trees.length === 1 ? tf.expandDims(first, 0) : tf.stack(trees as tf.Tensor[]);
  if (Array.isArray(first)) return first.map((_, i) => stackTrees(trees.map((t) => (t as readonly Tree[])[i] as Tree)));
  const obj = first as { readonly [k: string]: Tree };
  return Object.fromEntries(
    Object.keys(obj).map((k) => [k, stackTrees(trees.map((t) => (t as { readonly [k: string]: Tree })[k] as Tree))]),
  );
}
