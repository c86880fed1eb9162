/**
 * The step-size controller interfaces. A controller decides where each step ends from JS numbers;
 * an adaptive one also owns what it needs to decide: its tolerances, the error norm that turns a
 * step's error estimate into one number, and the choice of the first step (as diffrax's
 * `AbstractAdaptiveStepSizeController`). The loop never looks inside a controller.
 */
import type { StepTolerances } from '../solver.js';
import type * as tf from '@tensorflow/tfjs';
import type { Tree } from '@nde/core';
import type { ErrorNorm, Tolerance } from '../error-norm.js';

/** Where the next step ends. */
export interface StepProposal {
  /** End time of the next step (already clipped to t1, step times and jump times). */
  readonly tNext: number;
  /** The next step ends on a discontinuity of the vector field (FSAL values are then invalid). */
  readonly madeJump: boolean;
}

/**
 * How a controller judged the step it was shown: `'ok'` (accepted or rejected, the solve goes on),
 * or `'dtUnderflow'` (the step it would propose is below its smallest step: the solve fails).
 */
export type ControllerStatus = 'ok' | 'dtUnderflow';

/** The controller's verdict on an attempted step. */
export interface StepDecision<S> extends StepProposal {
  /** Keep the step. */
  readonly accept: boolean;
  /** `'dtUnderflow'` when the proposed step is below `dtmin` or float64 resolution (the solve then fails). */
  readonly status: ControllerStatus;
  /** Controller state to pass to the next `adapt` call. */
  readonly state: S;
}

/** What a step reports to the controller beside its error ratio. */
export interface StepInfo {
  /** Order of this step's error estimate, when it differs from the solver's fixed one (BDF). */
  readonly errorOrder?: number;
}

/** Problem facts a controller needs at the start. */
export interface ControllerInit {
  /** Start of the integration interval. */
  readonly t0: number;
  /** End of the integration interval (less than `t0` for a backward solve). */
  readonly t1: number;
  /** +1 forward, -1 backward. */
  readonly direction: 1 | -1;
  /** First step (signed), from the user or the controller's `initialStep`. */
  readonly dt0: number | undefined;
  /** Order of the solver's error estimate (adaptive controllers need one). */
  readonly errorOrder: number | undefined;
}

/** Chooses step sizes. `adaptive` controllers need an error ratio each step. */
export interface StepSizeController<S = unknown> {
  /** Short identifier of the controller (e.g. `'constant'`, `'pid'`). */
  readonly name: string;
  /** True when `adapt` needs the scaled error ratio (so the solver must estimate errors); see {@link AdaptiveStepSizeController}. */
  readonly adaptive: boolean;
  /**
   * Tolerances for a solver's inner iterations (the implicit solvers' Newton) when the controller is
   * not adaptive: a replay on a fixed grid passes the forward's, so it repeats the forward's steps.
   * Adaptive controllers pass their own `rtol`/`atol`.
   */
  readonly stepTolerances?: StepTolerances;
  /** Check options against the problem and propose the first step. */
  init(ctx: ControllerInit): StepProposal & { state: S };
  /**
   * Decide on the step [t0, t1] just attempted.
   * @param t0 - start of the attempted step
   * @param t1 - its (nominal) end
   * @param errorRatio - scaled error norm (≤ 1 accepts), undefined for non-adaptive controllers; NaN/∞ rejects.
   * @param state - the state from `init` or the previous `adapt`
   * @param info - what the step reported about itself: the order of its error estimate (variable-order methods)
   */
  adapt(t0: number, t1: number, errorRatio: number | undefined, state: S, info?: StepInfo): StepDecision<S>;
  /**
   * Continue a previous solve's controller state on a new interval (what `Solution.controllerState`
   * returned), so the step size and error history carry over instead of restarting. Optional.
   * @param ctx - the new interval (`dt0` is unused)
   * @param state - the state a previous solve ended with
   */
  resume?(ctx: ControllerInit, state: S): StepProposal & { state: S };
  /**
   * Number of steps this controller will take, when known in advance (constant steps).
   * @param ctx - the problem facts `init` would get
   */
  plannedSteps?(ctx: ControllerInit): number | undefined;
}

/** Generator type of the loop's reads: yields a scalar tensor to read, receives its values. */
export type Reads<T> = Generator<tf.Tensor, T, ArrayLike<number>>;

/** What a controller may use to choose the first step: the vector field at the start, and its order. */
export interface InitialStepProblem {
  /** Start time. */
  readonly t0: number;
  /** Initial state (owned by the loop: do not dispose it). */
  readonly y0: Tree;
  /** +1 forward, -1 backward. */
  readonly direction: 1 | -1;
  /** Order of the solver's error estimate (its order when it has none). */
  readonly order: number;
  /**
   * The vector field at (t, y): a new tree the caller owns. Each call counts one evaluation in the
   * solve's statistics.
   */
  evaluate(t: number, y: Tree): Tree;
}

/** The first step an adaptive controller chose. */
export interface InitialStep {
  /** Signed first step. NaN or ±∞ when the vector field is not finite at the start. */
  readonly dt0: number;
  /** f(t0, y0), if it was evaluated: handed to the solver as its first stage (ownership passes on). */
  readonly f0?: Tree;
}

/**
 * An adaptive controller: owns its tolerances, its error norm and its first step.
 *
 * @example
 * ```ts
 * // A controller of your own: halve on rejection, grow 1.5x on acceptance.
 * class Halving implements AdaptiveStepSizeController<{ dt: number; t1: number; dir: 1 | -1 }> {
 *   readonly name = 'halving'; readonly adaptive = true; readonly rtol = 1e-4; readonly atol = 1e-6; readonly norm = 'rms';
 *   errorRatio(e: Tree, y0: Tree, y1: Tree) { return errorRatio(e, y0, y1, this.rtol, this.atol, this.norm); }
 *   init(c: ControllerInit) { const dt = c.dt0 ?? 0.01 * c.direction; return { state: { dt, t1: c.t1, dir: c.direction }, tNext: clipToEnd(c.t0 + dt, c.t1, c.direction), madeJump: false }; }
 *   adapt(t0: number, t1: number, r: number | undefined, s: { dt: number; t1: number; dir: 1 | -1 }) {
 *     const accept = r !== undefined && r <= 1; const dt = (t1 - t0) * (accept ? 1.5 : 0.5); const from = accept ? t1 : t0;
 *     return { accept, status: 'ok' as const, state: { ...s, dt }, tNext: clipToEnd(from + dt, s.t1, s.dir), madeJump: false };
 *   }
 * }
 * ```
 */
export interface AdaptiveStepSizeController<S = unknown> extends StepSizeController<S> {
  /** Always true for adaptive controllers. */
  readonly adaptive: true;
  /** Relative tolerance: a number or a tree of per-component tolerances. */
  readonly rtol: Tolerance;
  /** Absolute tolerance: a number or a tree of per-component tolerances. */
  readonly atol: Tolerance;
  /** How the scaled error is reduced to one number. */
  readonly norm: ErrorNorm;
  /**
   * The scaled error ratio of a step as a scalar tensor (the caller owns and reads it): ≤ 1 accepts.
   * Computed off the gradient tape.
   * @param yError - the solver's local error estimate
   * @param y0 - the state at the start of the step
   * @param y1 - the proposed state at its end
   */
  errorRatio(yError: Tree, y0: Tree, y1: Tree): tf.Scalar;
  /**
   * Choose the first step when the user gave none. A generator, like the loop: it yields scalars it
   * must read and receives their values, so reading stays the driver's (sync or async). Optional:
   * without it, `dt0` is required.
   * @param problem - the start of the problem and the vector field there
   */
  initialStep?(problem: InitialStepProblem): Reads<InitialStep>;
}

/**
 * Whether a controller is adaptive (and so owns tolerances, a norm and its error ratio).
 *
 * @param c - any step-size controller
 * @example
 * ```ts
 * if (isAdaptiveController(c)) console.log(c.rtol, c.atol);
 * ```
 */
export function isAdaptiveController(c: StepSizeController): c is AdaptiveStepSizeController {
  return c.adaptive && typeof (c as Partial<AdaptiveStepSizeController>).errorRatio === 'function';
}

/**
 * Clip a proposed end time to the interval end (and never overshoot in the direction of travel).
 *
 * @param tNext - the proposed end of the next step
 * @param tEnd - the end of the integration interval
 * @param direction - +1 forward, -1 backward
 * @example
 * ```ts
 * clipToEnd(1.2, 1, 1); // 1
 * ```
 */
export function clipToEnd(tNext: number, tEnd: number, direction: 1 | -1): number {
  return (tNext - tEnd) * direction >= 0 ? tEnd : tNext;
}
