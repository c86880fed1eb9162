/** The types of a solve: what it takes, what it returns, its counters, and the adjoint hook. */
import type * as tf from '@tensorflow/tfjs';
import type { Tree } from '@nde/core';
import type { StepSizeController } from './controllers/controller.js';
import type { SolveStatus } from './errors.js';
import type { Event, EventOccurrence } from './events.js';
import type { DenseInterpolation } from './interpolation.js';
import type { MethodName } from './methods.js';
import type { SaveAt } from './save-at.js';
import type { Solver } from './solver.js';
import type { DeviceLoopOptions, LaneSteps } from './device/device-loop.js';

/** Counters of the work a solve did. */
export interface SolveStats {
  /** Vector-field evaluations (drift evaluations for SDEs). */
  nfe: number;
  /** Accepted steps. */
  accepted: number;
  /** Rejected steps. */
  rejected: number;
  /** All attempted steps (accepted + rejected). */
  steps: number;
  /** Jacobian evaluations (implicit solvers only). */
  jacobians?: number;
  /** LU factorisations (implicit solvers only). */
  factorizations?: number;
  /** Newton iterations (implicit solvers only). */
  newtonIterations?: number;
  /**
   * Device→host reads the solve made: the loop's own (error ratios, finiteness checks, event values)
   * and those inside solver steps (the implicit solvers' host linear algebra). Each is a round trip on
   * GPU backends.
   */
  hostReads: number;
  /**
   * Device-resident solves (`onDevice`): steps computed and then masked because their lane had
   * already finished (at most k − 1 with one lane read every k steps; per sample, the steps early
   * samples wait for the slowest).
   */
  wastedSteps?: number;
}

/** The result of a solve. Owns its tensors: call `dispose()` when done. */
export interface Solution<Y extends Tree = Tree> {
  /** Times of the saved states, in order (JS doubles). */
  readonly ts: number[];
  /**
   * Saved states, each leaf stacked along a new leading axis (`[ts.length, ...leafShape]`);
   * undefined when nothing was saved.
   */
  readonly ys: Y | undefined;
  /** Work counters: vector-field evaluations and accepted, rejected and attempted steps. */
  readonly stats: SolveStats;
  /** How the solve ended: `'success'`, `'eventOccurred'`, or a failure status (with `throwOnFailure: false`). */
  readonly status: SolveStatus;
  /** Why the solve stopped early, in words (absent on success). */
  readonly message?: string;
  /** Time the solve reached (t1 on success, the event time, or where it failed). */
  readonly tFinal: number;
  /** The event that stopped the solve. */
  readonly event?: EventOccurrence;
  /**
   * The event time as a scalar tensor (float32), when an event stopped the solve. Under gradients it
   * carries d(t*)/dθ (implicit function theorem), as torchdiffeq's `odeint_event` returns it.
   */
  readonly eventTime?: tf.Scalar;
  /**
   * The state at `tFinal` when the solve failed (`throwOnFailure: false`): the last state it reached,
   * whether or not anything was saved there. Absent on success (the saved states hold the result).
   */
  readonly yFinal?: Y;
  /**
   * Device-resident solves with one time for the state: the end of every accepted step, in order
   * (read in the packets the loop reads anyway; t0 is not in it). With t0 in front, the grid to
   * replay the solve on (`StepTo`).
   */
  readonly stepTimes?: number[];
  /** Device-resident per-sample solves with `onDevice.recordLanes`: every lane's steps, for a replay. */
  readonly laneSteps?: LaneSteps;
  /** Dense output, when `saveAt.dense`. */
  readonly dense?: DenseInterpolation<Y>;
  /**
   * The step-size controller's state at the end (plain numbers): pass it as
   * `SolveOptions.controllerState` to continue with the same step size and error history on the
   * next interval, as adjoints do between saved times.
   */
  readonly controllerState?: unknown;
  /** Release every tensor of the solution. */
  dispose(): void;
}

/** Gradient strategy hook: the adjoint package implements it (`DirectAdjoint`, `BacksolveAdjoint`, …). */
export interface AdjointMethod {
  /** Short identifier of the gradient strategy (e.g. `'direct'`, `'backsolve'`). */
  readonly name: string;
  /** Run the solve (via `forward`, the plain loop) so gradients flow as this method defines. */
  solve<Y extends Tree, A>(options: SolveOptions<Y, A>, forward: (options: SolveOptions<Y, A>) => Solution<Y>): Solution<Y>;
}

/**
 * Everything `solve` takes. `T` is the type of the terms; a solver object must accept it (a method
 * name is looked up for the kind of terms given).
 */
export interface SolveOptions<Y extends Tree = Tree, A = unknown, T = unknown> {
  /** The equation: an `ODETerm`, or SDE terms for SDE solvers. */
  readonly terms: T;
  /** A solver object or a method name (`'dopri5'`, `'rk4'`, …). */
  readonly solver: Solver<T> | MethodName;
  /** Start time of the integration. */
  readonly t0: number;
  /** End time of the integration; `t1 < t0` integrates backwards. */
  readonly t1: number;
  /** Initial state at `t0`: a tensor or a tree of tensors (not taken over: the caller keeps ownership). */
  readonly y0: Y;
  /** First step (signed like t1 − t0). Required for constant steps; chosen automatically (Hairer) for adaptive ones. */
  readonly dt0?: number;
  /** Passed to the vector field unchanged. */
  readonly args?: A;
  /** Default: `PIDController()` for adaptive solvers without dt0, else `ConstantStepSize()`. */
  readonly stepSizeController?: StepSizeController;
  /**
   * A previous solve's `controllerState`, to continue its step size and error history on this
   * interval (the controller's `resume`; ignored by controllers without one). Replaces `dt0`.
   */
  readonly controllerState?: unknown;
  /** What to save (default `{ t1: true }`). */
  readonly saveAt?: SaveAt;
  /** Maximum number of attempted steps (default 16384). */
  readonly maxSteps?: number;
  /** Terminal event(s). */
  readonly event?: Event<Y, A> | readonly Event<Y, A>[];
  /** Throw a `SolveFailedError` on failure (default true); false returns the partial solution with its status. */
  readonly throwOnFailure?: boolean;
  /** For non-adaptive steps: check the state is finite after every step (default true). */
  readonly checkFinite?: boolean;
  /** Gradient strategy (default: differentiate through the operations). */
  readonly adjoint?: AdjointMethod;
  /**
   * Called after each accepted step (progress bars; checkpointing). `y` is the state at `t`, owned by
   * the loop and freed by it: clone what you keep.
   */
  readonly onStep?: (t: number, stats: Readonly<SolveStats>, y: Y) => void;
  /**
   * Run the device-resident loop: step control, time and saving stay on the device and the host
   * reads every k steps (see {@link DeviceLoopOptions}). Needs a `TensorTimeODETerm`, an explicit
   * Runge–Kutta method and a `PIDController`. A failed device-resident solve (throwOnFailure: false)
   * returns no saved states, only `yFinal` at `tFinal` (per sample: each lane's last state, and the
   * least-advanced lane's time).
   */
  readonly onDevice?: DeviceLoopOptions;
}
