/** Constant step sizes: t_i = t0 + i·dt (never accumulated), the last step ending exactly at t1. */
import type { StepTolerances } from '../solver.js';
import { InvalidArgumentError } from '@nde/core';
import type { ControllerInit, StepDecision, StepProposal, StepSizeController } from './controller.js';

/** Per-solve state of {@link ConstantStepSize}; opaque to users, carried between `init` and `decide`. */
export interface ConstantState {
  /** Index of the next step (t = t0 + i·dt, never accumulated). */
  readonly i: number;
  /** Total number of steps. */
  readonly n: number;
  /** Signed step size. */
  readonly dt: number;
  /** Start of the interval. */
  readonly t0: number;
  /** End of the interval. */
  readonly t1: number;
}

/**
 * Number of constant steps of size |dt| needed to cover [t0, t1]: ceil(|t1 - t0| / |dt|),
 * ignoring float64 rounding in the division (so 1 / 0.1 gives 10 steps, not 11).
 *
 * @internal
 */
export function constantStepCount(t0: number, t1: number, dt: number): number {
  const x = Math.abs(t1 - t0) / Math.abs(dt);
  return Math.max(1, Math.ceil(x - 1e-9 * Math.max(1, x)));
}

/**
 * Fixed steps of size `dt0`.
 *
 * @example
 * ```ts
 * solve({ terms, solver: 'rk4', t0: 0, t1: 1, y0, dt0: 0.01, stepSizeController: new ConstantStepSize() });
 * ```
 */
export class ConstantStepSize implements StepSizeController<ConstantState> {
  /** Identifier of this controller: `'constant'`. */
  readonly name = 'constant';
  readonly adaptive = false;

  plannedSteps(ctx: ControllerInit): number | undefined {
    return ctx.dt0 === undefined ? undefined : constantStepCount(ctx.t0, ctx.t1, ctx.dt0);
  }

  init(ctx: ControllerInit): StepProposal & { state: ConstantState } {
    const { dt0, direction } = ctx;
    if (dt0 === undefined) {
      throw new InvalidArgumentError(
        'dt0',
        'is required with ConstantStepSize.',
        'Pass dt0 (e.g. 0.01), or use PIDController for adaptive steps.',
      );
    }
    if (Math.sign(dt0) !== direction) {
      throw new InvalidArgumentError(
        'dt0',
        `must be ${direction > 0 ? '> 0 for a forward' : '< 0 for a backward'} solve (got ${dt0}).`,
        direction > 0 ? 'Use t1 < t0 to integrate backwards.' : 'A backward solve (t1 < t0) takes a negative dt0.',
      );
    }
    const n = constantStepCount(ctx.t0, ctx.t1, dt0);
    const state = { i: 0, n, dt: dt0, t0: ctx.t0, t1: ctx.t1 };
    return { state, tNext: this.endOf(state, 1), madeJump: false };
  }

  private endOf(s: ConstantState, i: number): number {
    return i >= s.n ? s.t1 : s.t0 + i * s.dt;
  }

  adapt(_t0: number, _t1: number, _ratio: number | undefined, s: ConstantState): StepDecision<ConstantState> {
    const state = { ...s, i: s.i + 1 };
    return { accept: true, status: 'ok', state, tNext: this.endOf(state, state.i + 1), madeJump: false };
  }
}

/**
 * Steps that land exactly on the given times (the first must be t0, the last t1).
 *
 * @example
 * ```ts
 * new StepTo([0, 0.1, 0.3, 1]);
 * ```
 */
export class StepTo implements StepSizeController<{ i: number }> {
  /** Identifier of this controller: `'stepTo'`. */
  readonly name = 'stepTo';
  readonly adaptive = false;

  /** Tolerances for the implicit solvers' Newton on this grid (absent: their defaults). */
  readonly stepTolerances?: StepTolerances;

  /**
   * @param ts - step end points
   * @param options - `stepTolerances`: Newton's tolerances on this grid (a replay passes the forward's)
   */
  constructor(
    /** Step end points, strictly monotone from `t0` to `t1` (one time alone for a solve with t0 == t1). */
    readonly ts: readonly number[],
    options: { readonly stepTolerances?: StepTolerances } = {},
  ) {
    if (options.stepTolerances) this.stepTolerances = options.stepTolerances;
    if (ts.length < 1) throw new InvalidArgumentError('ts', 'StepTo needs at least one time (t0, and t1 when it differs).');
  }

  plannedSteps(): number {
    return this.ts.length - 1;
  }

  init(ctx: ControllerInit): StepProposal & { state: { i: number } } {
    const ts = this.ts;
    if (ts[0] !== ctx.t0 || ts[ts.length - 1] !== ctx.t1) {
      throw new InvalidArgumentError(
        'stepSizeController.ts',
        `must start at t0=${ctx.t0} and end at t1=${ctx.t1} (got ${ts[0]} … ${ts[ts.length - 1]}).`,
      );
    }
    for (let i = 1; i < ts.length; i++) {
      if (!(((ts[i] as number) - (ts[i - 1] as number)) * ctx.direction > 0)) {
        throw new InvalidArgumentError(
          'stepSizeController.ts',
          `must be strictly monotone in the direction of integration (at index ${i}).`,
        );
      }
    }
    return { state: { i: 1 }, tNext: ts[1] as number, madeJump: false };
  }

  adapt(_t0: number, _t1: number, _r: number | undefined, s: { i: number }): StepDecision<{ i: number }> {
    const i = s.i + 1;
    const tNext = this.ts[Math.min(i, this.ts.length - 1)] as number;
    return { accept: true, status: 'ok', state: { i }, tNext, madeJump: false };
  }
}
