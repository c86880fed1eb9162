/**
 * One table of the words a failed solve reports: for each failure status, the argument to blame and
 * the message (with its fix). The loop records a status and the facts; the words live here.
 */
import type { FailureStatus } from './errors.js';

/** Shrinking retries an adaptive solve makes after non-finite steps before it fails with nonFinite. @internal */
export const NON_FINITE_RETRIES = 30;

/** The facts a failure message is built from. @internal */
export interface FailureFacts {
  /** Where the solve stopped. */
  readonly t: number;
  /** The end it was heading for. */
  readonly t1: number;
  /** End of the failed step, when one was attempted. */
  readonly tEnd?: number;
  /** The step limit. */
  readonly maxSteps: number;
  /** Whether the controller was adaptive. */
  readonly adaptive: boolean;
  /** Shrinking retries after non-finite steps. */
  readonly retries: number;
  /** The failure happened before any step (e.g. the first-step choice). */
  readonly beforeFirstStep: boolean;
  /** A step had just failed to finite values while the step size shrank to nothing. */
  readonly afterNonFinite: boolean;
  /** Name of the solver. */
  readonly solver: string;
}

interface Entry {
  /** The argument to blame, given how many steps were attempted. */
  readonly argument: (steps: number) => string;
  readonly message: (f: FailureFacts) => string;
}

const TABLE: Record<FailureStatus, Entry> = {
  maxStepsReached: {
    argument: () => 'maxSteps',
    message: (f) =>
      `reached maxSteps=${f.maxSteps} at t=${f.t} before t1=${f.t1}. Raise maxSteps, loosen rtol/atol, or check the problem is not stiff.`,
  },
  dtUnderflow: {
    argument: () => 'dt',
    message: (f) =>
      `the step size fell below dtmin (or float64 resolution) at t=${f.t}. The problem may be stiff or singular there; loosen rtol/atol or lower dtmin.`,
  },
  nonFinite: {
    // A non-finite result before any step is the vector field at (t0, y0) (y0 itself was checked).
    argument: (steps) => (steps === 0 ? 'terms.vf' : 'y'),
    message: (f) =>
      f.beforeFirstStep
        ? `the vector field is NaN or Infinity at t0=${f.t} (so no first step can be chosen). Check its parameters and inputs for NaN, or pass dt0.`
        : f.afterNonFinite
          ? `the state or its error estimate stayed NaN/Infinity while the step shrank to nothing at t=${f.t}. Check the vector field for overflow or invalid operations there.`
          : `the state or its error estimate became NaN/Infinity in the step from t=${f.t} to t=${f.tEnd}${f.adaptive ? ` (${f.retries} shrinking retries failed)` : ''}. Check the vector field for overflow, or take smaller steps.`,
  },
  stepFailed: {
    argument: () => 'solver',
    message: (f) =>
      `'${f.solver}' could not complete the step from t=${f.t} to t=${f.tEnd}${f.adaptive ? ' even at the smallest step size' : ''}. Take smaller steps (or an adaptive controller), or check the Jacobian is well conditioned there.`,
  },
};

/**
 * The message of a failure status: what happened, where, and the fix.
 *
 * @param status - how the solve failed
 * @param facts - where and why
 * @internal
 */
export function failureMessage(status: FailureStatus, facts: FailureFacts): string {
  return TABLE[status].message(facts);
}

/**
 * The argument a failure is blamed on.
 *
 * @param status - how the solve failed
 * @param steps - how many steps were attempted
 * @internal
 */
export function failureArgument(status: FailureStatus, steps: number): string {
  return TABLE[status].argument(steps);
}
