/** Solve statuses and the error thrown when a solve fails with `throwOnFailure` (the default). */
import { NdeError } from '@nde/core';

/**
 * How a solve ended. `'stepFailed'`: the solver reported a step it could not complete (an implicit
 * method's Newton iteration diverging, say) where the step could not be shrunk further.
 */
export type SolveStatus = 'success' | 'maxStepsReached' | 'dtUnderflow' | 'nonFinite' | 'stepFailed' | 'eventOccurred';

/** The statuses of a failed solve. */
export type FailureStatus = Exclude<SolveStatus, 'success' | 'eventOccurred'>;

/** Thrown by `solve` when it fails and `throwOnFailure` is true. */
export class SolveFailedError extends NdeError {
  /** The failure status. */
  readonly status: FailureStatus;
  /** Time reached when the solve failed. */
  readonly t: number;

  /**
   * @param status - the failure status
   * @param t - time reached
   * @param argument - the argument to blame
   * @param message - what happened, with the fix
   * @param hint - a further hint
   */
  constructor(status: FailureStatus, t: number, argument: string, message: string, hint: string) {
    super('SOLVER_FAILURE', argument, message, hint);
    this.status = status;
    this.t = t;
  }
}
