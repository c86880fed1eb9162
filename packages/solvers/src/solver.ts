/**
 * The interface every solver implements. A solver has no loop of its own: `solve` calls `step`.
 * Ownership: every tensor in a {@link StepResult} is new and owned by the result; `step` never
 * disposes its inputs. `solve` runs `step` inside `tf.tidy`, so temporaries are freed.
 */
import type { Tree } from '@nde/core';
import type { InterpolationData } from './interpolation.js';

/**
 * Whether a step could be completed: `'success'`, or `'failed'` when the solver could not produce a
 * state at all (an implicit method's nonlinear solve diverging). A failed step is rejected and
 * shrunk by an adaptive controller, as a step with too large an error is; it fails the solve
 * (`'stepFailed'`) under constant steps.
 */
export type StepStatus = 'success' | 'failed';

/** What one step returns. */
export interface StepResult<S> {
  /** Whether the step could be completed (default `'success'`). A failed step's `y1` is ignored. */
  readonly status?: StepStatus;
  /** The state at `t1`. */
  readonly y1: Tree;
  /** Local error estimate (adaptive solvers only). */
  readonly yError?: Tree;
  /** Interpolation over the step, when `needsDense` was true. */
  readonly interp?: InterpolationData;
  /** Solver state to carry to the next step (e.g. FSAL derivative). */
  readonly state: S;
  /** Vector-field evaluations this step made. */
  readonly nfe: number;
  /** Work of an implicit step (summed into the solve's stats). */
  readonly counts?: ImplicitCounts;
  /**
   * The order of this step's error estimate, for variable-order methods (BDF): handed to the
   * controller, whose step-size exponent follows it. Default: the solver's `errorOrder`.
   */
  readonly errorOrder?: number;
}

/** What implicit steps cost beyond evaluations. */
export interface ImplicitCounts {
  /** Jacobian evaluations. */
  readonly jacobians: number;
  /** LU factorisations of the Newton matrix. */
  readonly factorizations: number;
  /** Newton iterations (each one evaluation of the vector field). */
  readonly newtonIterations: number;
}

/** The adaptive controller's tolerances, handed to solvers with inner iterations (Newton) to scale their own. */
export interface StepTolerances {
  /** Relative tolerance (a number, or a tree of per-component tolerances). */
  readonly rtol: number | Tree;
  /** Absolute tolerance. */
  readonly atol: number | Tree;
}

/** Kinds of terms a solver accepts. */
export type TermKind = 'ode' | 'sde';

/**
 * A numerical method for terms of type `T` (an `ODETerm`, an `SDETerm`, …), carrying a state of
 * type `S` between steps.
 */
export interface Solver<T = unknown, S = unknown> {
  /** Name as accepted by `method` strings. */
  readonly name: string;
  /** Order of convergence (strong order for SDE solvers). */
  readonly order: number;
  /** Order of the embedded error estimate; undefined when the method has none (fixed steps only). */
  readonly errorOrder: number | undefined;
  /** Which terms it solves. */
  readonly termKind: TermKind;
  /**
   * A step depends on earlier steps, not on y alone (a multistep method such as BDF, or reversible Heun's
   * carried ŷ): adjoints that replay segments from stored states (checkpointing) cannot reproduce its
   * steps and refuse it.
   */
  readonly multistep?: boolean;
  /** Check that `terms` suit this solver; throw a typed error otherwise. */
  validate(terms: T): void;
  /** State before the first step; `f0` is the vector field at (t0, y0) if the caller has it (ownership passes to the state). */
  init(terms: T, t0: number, y0: Tree, args: unknown, f0?: Tree): S;
  /** Advance from (t0, y0) to t1. `madeJump`: the previous step ended on a discontinuity (FSAL invalid). */
  step(
    terms: T,
    t0: number,
    t1: number,
    y0: Tree,
    args: unknown,
    state: S,
    opts: { madeJump: boolean; needsDense: boolean; tolerances?: StepTolerances },
  ): StepResult<S>;
  /** Dispose the tensors held in a state. */
  disposeState(state: S): void;
  /** The vector field at (t, y) (used for the initial step size); undefined for solvers that cannot give one. */
  evalDerivative?(terms: T, t: number, y: Tree, args: unknown): Tree;
}
