/** Solve statuses and the error thrown when a solve fails with `throwOnFailure` (the default). */
import { NdeError } from '@nde/core';

/** How a solve ended. */
export type SolveStatus = 'success' | 'maxStepsReached' | 'dtUnderflow' | 'nonFinite' | 'eventOccurred';

/** Thrown by `solve` when it fails and `throwOnFailure` is true. */
export class SolveFailedError extends NdeError {
  /** The failure status. */
  readonly status: Exclude<SolveStatus, 'success' | 'eventOccurred'>;
  /** Time reached when the solve failed. */
  readonly t: number;

  constructor(status: Exclude<SolveStatus, 'success' | 'eventOccurred'>, t: number, argument: string, message: string, hint: string) {
    super('SOLVER_FAILURE', argument, message, hint);
    this.status = status;
    this.t = t;
  }
}
