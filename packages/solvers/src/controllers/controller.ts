/** The step-size controller interface: pure number logic, no tensors. */

/** Where the next step ends. */
export interface StepProposal {
  /** End time of the next step (already clipped to t1, step times and jump times). */
  readonly tNext: number;
  /** The next step ends on a discontinuity of the vector field (FSAL values are then invalid). */
  readonly madeJump: boolean;
}

/** The controller's verdict on an attempted step. */
export interface StepDecision<S> extends StepProposal {
  /** Keep the step. */
  readonly accept: boolean;
  /** The proposed step is below `dtmin` (the solve then fails with `dtUnderflow`). */
  readonly underflow: boolean;
  /** Controller state to pass to the next `adapt` call. */
  readonly state: S;
}

/** Problem facts a controller needs at the start. */
export interface ControllerInit {
  /** Start of the integration interval. */
  readonly t0: number;
  /** End of the integration interval (less than `t0` for a backward solve). */
  readonly t1: number;
  /** +1 forward, -1 backward. */
  readonly direction: 1 | -1;
  /** First step (signed), from the user or the initial-step heuristic. */
  readonly dt0: number | undefined;
  /** Order of the solver's error estimate (adaptive controllers need one). */
  readonly errorOrder: number | undefined;
}

/** Chooses step sizes. `adaptive` controllers need an error ratio each step. */
export interface StepSizeController<S = unknown> {
  /** Short identifier of the controller (e.g. `'constant'`, `'pid'`). */
  readonly name: string;
  /** True when `adapt` needs the scaled error ratio (so the solver must estimate errors). */
  readonly adaptive: boolean;
  /** Check options against the problem and propose the first step. */
  init(ctx: ControllerInit): StepProposal & { state: S };
  /**
   * Decide on the step [t0, t1] just attempted.
   * @param errorRatio - scaled error norm (≤ 1 accepts), undefined for non-adaptive controllers; NaN/∞ rejects.
   */
  adapt(t0: number, t1: number, errorRatio: number | undefined, state: S): StepDecision<S>;
  /** Number of steps this controller will take, when known in advance (constant steps). */
  plannedSteps?(ctx: ControllerInit): number | undefined;
}

/** Clip a proposed end time to the interval end (and never overshoot in the direction of travel). @internal */
export function clipToEnd(tNext: number, tEnd: number, direction: 1 | -1): number {
  return (tNext - tEnd) * direction >= 0 ? tEnd : tNext;
}
