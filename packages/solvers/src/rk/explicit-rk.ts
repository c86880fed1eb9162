/**
 * The one generic explicit Runge–Kutta stepper: any {@link ButcherTableau} becomes a solver.
 * FSAL tableaux reuse their last stage as the next first stage; non-FSAL ones reuse `f(t1, y1)`
 * whenever it was computed for Hermite dense output.
 */
import { InvalidArgumentError, treeClone, treeDispose, treeLinearCombination, treeSub, treeWeightedSum, type Tree } from '@nde/core';
import type { ButcherTableau } from './tableaus.js';
import { hermiteWeights, polynomialWeights, type InterpolationData } from '../interpolation.js';
import type { Solver, StepResult } from '../solver.js';
import { ODETerm } from '../terms.js';

/** Solver state: the derivative at the start of the next step, when known. */
export interface RKState {
  /**
   * Vector field at the start of the next step (the FSAL stage of the previous one, or the `f0` passed to `init`);
   * `undefined` when it must be computed.
   */
  readonly f0: Tree | undefined;
}

function isFsal(t: ButcherTableau): boolean {
  const s = t.c.length;
  const last = t.a[s - 1] ?? [];
  return (
    s > 1 && t.c[s - 1] === 1 && last.length === s - 1 && last.every((v, j) => Math.abs(v - (t.b[j] as number)) < 1e-15) && t.b[s - 1] === 0
  );
}

/**
 * An explicit Runge–Kutta solver defined by a tableau.
 *
 * @example
 * ```ts
 * import { ExplicitRK, dopri5 } from '@nde/solvers';
 * const solver = new ExplicitRK(dopri5);
 * ```
 */
export class ExplicitRK implements Solver<ODETerm, RKState> {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number | undefined;
  readonly termKind = 'ode' as const;
  /** Whether the last stage is f(t1, y1). */
  readonly fsal: boolean;

  constructor(
    /** The Butcher tableau defining the method (stages, weights, optional embedded error weights and dense output). */
    readonly tableau: ButcherTableau,
  ) {
    this.name = tableau.name;
    this.order = tableau.order;
    this.errorOrder = tableau.bError ? tableau.errorOrder : undefined;
    this.fsal = isFsal(tableau);
  }

  validate(terms: ODETerm): void {
    if (!(terms instanceof ODETerm)) {
      throw new InvalidArgumentError(
        'terms',
        `${this.name} solves ODEs and needs an ODETerm.`,
        'Wrap your vector field: new ODETerm((t, y, args) => ...). For SDEs use an SDE solver.',
      );
    }
  }

  init(_terms: ODETerm, _t0: number, _y0: Tree, _args: unknown, f0?: Tree): RKState {
    return { f0 };
  }

  evalDerivative(terms: ODETerm, t: number, y: Tree, args: unknown): Tree {
    return terms.evaluate(t, y, args);
  }

  disposeState(state: RKState): void {
    treeDispose(state.f0);
  }

  step(
    terms: ODETerm,
    t0: number,
    t1: number,
    y0: Tree,
    args: unknown,
    state: RKState,
    opts: { madeJump: boolean; needsDense: boolean },
  ): StepResult<RKState> {
    const { c, a, b, bError, dense } = this.tableau;
    const h = t1 - t0;
    const s = c.length;
    let nfe = 0;
    // Every stage is the step's own tensor (ODETerm.evaluate copies leaves the field returns from its
    // input or from elsewhere), so stages can be handed to the dense output or kept as the next f0.
    const f = (t: number, y: Tree): Tree => {
      nfe++;
      return terms.evaluate(t, y, args);
    };
    const ks: Tree[] = [];
    // RK dense output hands the stages back: the state's f0 (which stays the state's) is then
    // copied; otherwise it is only read.
    const returnsStages = opts.needsDense && dense !== undefined;
    const reuse = state.f0 !== undefined && !opts.madeJump;
    ks.push(reuse ? (returnsStages ? treeClone(state.f0 as Tree) : (state.f0 as Tree)) : f(t0, y0));
    let y1: Tree | undefined;
    for (let i = 1; i < s; i++) {
      const row = (a[i] as readonly number[]).map((v) => v * h);
      const yi = treeLinearCombination(y0, row, ks);
      // The FSAL stage is evaluated at y1 itself.
      if (this.fsal && i === s - 1) y1 = yi;
      ks.push(f(t0 + (c[i] as number) * h, yi));
    }
    y1 ??= treeLinearCombination(
      y0,
      b.map((v) => v * h),
      ks,
    );
    const yError = bError
      ? treeWeightedSum(
          bError.map((v) => v * h),
          ks,
        )
      : undefined;

    // The FSAL stage becomes the next f0; a copy when the stages are handed back as well.
    let fNext: Tree | undefined = this.fsal ? (returnsStages ? treeClone(ks[s - 1] as Tree) : (ks[s - 1] as Tree)) : undefined;
    let interp: InterpolationData | undefined;
    if (opts.needsDense) {
      if (dense) {
        interp = { vectors: ks, weights: polynomialWeights(dense.coeffs, h) };
      } else {
        // Kept as the next f0 and copied into the interpolant.
        fNext ??= f(t1, y1);
        interp = { vectors: [treeSub(y1, y0), treeClone(ks[0] as Tree), treeClone(fNext)], weights: hermiteWeights(h) };
      }
    }
    return { y1, ...(yError ? { yError } : {}), ...(interp ? { interp } : {}), state: { f0: fNext }, nfe };
  }
}
