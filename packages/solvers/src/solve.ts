/**
 * `solve`: the only stepping loop. Solvers, controllers, saving, events and adjoints plug into it.
 *
 * The loop is a generator that yields each scalar it must read (error ratio, event value, finiteness)
 * and receives its value back, so one loop serves both drivers: {@link solve} reads synchronously
 * (right for cpu and wasm, where readback is free) and {@link solveAsync} awaits `data()` (WebGPU has
 * no synchronous read, and WebGL stalls on one).
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  ShapeError,
  UnsupportedError,
  assertFiniteNumber,
  assertFloatTree,
  treeClone,
  treeDispose,
  tidyTree,
  treeLeaves,
  tapeOn,
  untaped,
  type Tree,
} from '@nde/core';
import { ConstantStepSize } from './controllers/constant.js';
import type { StepSizeController } from './controllers/controller.js';
import { PIDController } from './controllers/pid.js';
import { errorRatio } from './error-norm.js';
import { SolveFailedError, type SolveStatus } from './errors.js';
import { crossed, differentiableEventState, locateRoot, readEvents, type Event, type EventOccurrence } from './events.js';
import { initialStepSize } from './initial-step.js';
import { DenseInterpolation, LocalInterpolant, stackTrees } from './interpolation.js';
import { resolveSolver, type MethodName } from './methods.js';
import { validateSaveAt, type SaveAt } from './save-at.js';
import type { Solver, StepResult } from './solver.js';
import { isSdeTerm } from './sde/terms.js';

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
  /** Dense output, when `saveAt.dense`. */
  readonly dense?: DenseInterpolation<Y>;
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

/** Everything `solve` takes. */
export interface SolveOptions<Y extends Tree = Tree, A = unknown> {
  /** The equation: an `ODETerm`, or SDE terms for SDE solvers. */
  readonly terms: unknown;
  /** A solver object or a method name (`'dopri5'`, `'rk4'`, …). */
  readonly solver: Solver | MethodName;
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
  /** Called after each accepted step (progress bars). */
  readonly onStep?: (t: number, stats: Readonly<SolveStats>) => void;
}

type Loop<Y extends Tree> = Generator<tf.Tensor, Solution<Y>, ArrayLike<number>>;

const NON_FINITE_RETRIES = 30;

function validate<Y extends Tree, A>(o: SolveOptions<Y, A>): { solver: Solver; controller: StepSizeController; direction: 1 | -1 } {
  assertFiniteNumber('t0', o.t0);
  assertFiniteNumber('t1', o.t1);
  assertFloatTree('y0', o.y0);
  const empty = treeLeaves(o.y0).find((x) => x.size === 0);
  if (empty) {
    throw new ShapeError(
      'y0',
      `has a leaf with no elements (shape [${empty.shape.join(', ')}]): there is nothing to solve.`,
      'Skip the solve for an empty batch, or pass at least one sample.',
    );
  }
  if (o.solver === null || (typeof o.solver !== 'string' && typeof (o.solver as { step?: unknown }).step !== 'function')) {
    throw new InvalidArgumentError(
      'solver',
      `must be a method name such as 'dopri5' or a solver object (got ${o.solver === null ? 'null' : typeof o.solver}).`,
    );
  }
  if (o.dt0 !== undefined) {
    assertFiniteNumber('dt0', o.dt0);
    if (o.dt0 === 0)
      throw new InvalidArgumentError(
        'dt0',
        'must not be 0.',
        'Pass a step size with the sign of t1 - t0, or omit it for adaptive solvers.',
      );
  }
  const maxSteps = o.maxSteps ?? 16384;
  if (!(Number.isInteger(maxSteps) && maxSteps > 0))
    throw new InvalidArgumentError('maxSteps', `must be a positive integer (got ${maxSteps}).`);
  // SDE terms pick the SDE method for names shared with ODE tableaux ('euler', 'heun', 'midpoint').
  const solver = resolveSolver(o.solver, isSdeTerm(o.terms) ? 'sde' : 'ode');
  solver.validate(o.terms as never);
  const direction = o.t1 >= o.t0 ? 1 : -1;
  const controller =
    o.stepSizeController ?? (solver.errorOrder !== undefined && o.dt0 === undefined ? new PIDController() : new ConstantStepSize());
  if (controller.adaptive && solver.errorOrder === undefined) {
    throw new UnsupportedError(
      'stepSizeController',
      `is adaptive but '${solver.name}' has no error estimate.`,
      solver.termKind === 'sde'
        ? "Use ConstantStepSize with dt0, or an SDE method with an error estimate ('heun', 'midpoint', 'reversible_heun', 'sra1')."
        : 'Use ConstantStepSize with dt0, or an adaptive method (dopri5, tsit5, bosh3, heun, dopri8).',
    );
  }
  if (!controller.adaptive && o.dt0 === undefined && controller instanceof ConstantStepSize) {
    throw new InvalidArgumentError(
      'dt0',
      `is required: '${solver.name}' takes constant steps.`,
      'Pass dt0, or use an adaptive method (dopri5, tsit5, …) with a PIDController.',
    );
  }
  validateSaveAt(o.saveAt ?? {}, o.t0, o.t1, direction);
  if (isSdeTerm(o.terms) && o.terms.bm) assertInsideBrownianInterval(o.terms.bm, o.t0, o.t1);
  return { solver, controller, direction };
}

/** An SDE's Brownian motion must cover [t0, t1]: checked before stepping, not discovered mid-solve. */
function assertInsideBrownianInterval(bm: { t0: number; t1: number }, t0: number, t1: number): void {
  const lo = Math.min(t0, t1);
  const hi = Math.max(t0, t1);
  // A few ulps of slack, as the Brownian objects allow.
  const slack = 1e-12 * Math.max(1, Math.abs(bm.t0), Math.abs(bm.t1));
  if (lo < bm.t0 - slack || hi > bm.t1 + slack) {
    throw new InvalidArgumentError(
      'terms.bm',
      `covers [${bm.t0}, ${bm.t1}], but the solve runs over [${lo}, ${hi}].`,
      'Create the Brownian motion with t0/t1 that contain the whole solve interval.',
    );
  }
}

function* readFinite(y: Tree): Generator<tf.Tensor, boolean, ArrayLike<number>> {
  const flag = untaped(() =>
    tf.tidy(() => {
      const parts = treeLeaves(y).map((x) => tf.all(tf.isFinite(x)).cast('float32'));
      return parts.length === 1 ? (parts[0] as tf.Tensor) : tf.min(tf.stack(parts));
    }),
  );
  const v = yield flag;
  return v[0] === 1;
}

/** The stepping loop (see module doc). Yields scalars to read; the driver disposes them. */
function* solveLoop<Y extends Tree, A>(o: SolveOptions<Y, A>): Loop<Y> {
  const { solver, controller, direction } = validate(o);
  const { t0, t1, terms } = o;
  const args = o.args as A;
  const saveAt: SaveAt = o.saveAt ?? { t1: true };
  const maxSteps = o.maxSteps ?? 16384;
  const events = o.event === undefined ? [] : Array.isArray(o.event) ? (o.event as readonly Event<Y, A>[]) : [o.event as Event<Y, A>];
  const pid = controller instanceof PIDController ? controller : undefined;
  const stats: SolveStats = { nfe: 0, accepted: 0, rejected: 0, steps: 0 };

  if (!(yield* readFinite(o.y0))) {
    throw new InvalidArgumentError('y0', 'contains NaN or Infinity.', 'Check the initial state (and whatever produced it).');
  }

  const savedTs: number[] = [];
  const saved: Tree[] = [];
  const save = (t: number, y: Tree): void => {
    savedTs.push(t);
    saved.push(y);
  };
  const pieces: LocalInterpolant<Y>[] = [];
  // The current state (a copy of y0: the vector field may return leaves of its input, and solver
  // states keep what it returns).
  let y: Y = treeClone(o.y0);
  let ownsY = true;
  if (saveAt.t0) save(t0, treeClone(y));
  const saveTs = saveAt.ts ?? [];
  let nextSave = 0;
  // Times equal to t0 are saved before stepping.
  for (; nextSave < saveTs.length && saveTs[nextSave] === t0; nextSave++) save(t0, treeClone(y));

  let t = t0;
  let status: SolveStatus = 'success';
  let message: string | undefined;
  let event: EventOccurrence | undefined;
  // Undefined until the first step is set up (a solve with t0 == t1 never has one).
  let state: unknown;
  // f(t0, y0) from the first-step heuristic, until the solver state takes it over.
  let f0: Tree | undefined;
  // A step's result between the step and its acceptance or rejection.
  let pending: StepResult<unknown> | undefined;
  let eventTime: tf.Scalar | undefined;
  let finished = false;
  let pieceInFlight: LocalInterpolant<Y> | undefined;
  const disposeStep = (r: StepResult<unknown>): void => {
    treeDispose(r.y1, r.yError, ...(r.interp?.vectors ?? []));
    solver.disposeState(r.state);
  };
  // What the loop holds on every way out: saved states, the solver state, a pending f(t0, y0).
  const releaseHeld = (): void => {
    saved.forEach((s) => treeDispose(s));
    if (state !== undefined) solver.disposeState(state);
    treeDispose(f0);
  };

  const finish = (): Solution<Y> => {
    // Stack first: the last saved state may be y itself, handed over (see below).
    const ys = saved.length ? (tidyTree(() => stackTrees(saved)) as Y) : undefined;
    releaseHeld();
    // A failed solve hands its last state over: the partial solution's `yFinal`, at `tFinal`.
    const failed = status !== 'success' && status !== 'eventOccurred';
    // (ownsY is true then: only success hands y to the saved states.)
    const yFinal = failed ? y : undefined;
    if (ownsY && !failed) treeDispose(y);
    const dense = saveAt.dense ? new DenseInterpolation<Y>(pieces, direction) : undefined;
    finished = true;
    const solution: Solution<Y> = {
      ts: savedTs,
      ys,
      stats,
      status,
      ...(message ? { message } : {}),
      tFinal: t,
      ...(event ? { event } : {}),
      ...(dense ? { dense } : {}),
      ...(yFinal ? { yFinal } : {}),
      ...(eventTime ? { eventTime } : {}),
      dispose: () => {
        treeDispose(ys, yFinal, eventTime);
        dense?.dispose();
      },
    };
    return solution;
  };

  // On an error (a throwing vector field, a bad event function) or an abandoned loop, everything the
  // loop holds is released before the error propagates.
  try {
    if (t0 === t1) {
      if (saveAt.t1) save(t1, treeClone(y));
      for (; nextSave < saveTs.length; nextSave++) save(t1, treeClone(y));
      return finish();
    }

    // First step: user dt0, or Hairer's heuristic for adaptive controllers.
    let dt0 = o.dt0;
    if (controller.adaptive && dt0 === undefined && pid) {
      if (!solver.evalDerivative) throw new UnsupportedError('dt0', `'${solver.name}' cannot choose its first step.`, 'Pass dt0.');
      const r = yield* initialStepSize(solver, terms, t0, y, args, direction, pid, stats);
      f0 = r.f0;
      dt0 = r.dt0;
      if (!Number.isFinite(dt0)) {
        status = 'nonFinite';
        message = `the vector field is NaN or Infinity at t0=${t0} (so no first step can be chosen). Check its parameters and inputs for NaN, or pass dt0.`;
        return finish();
      }
    }
    const proposal = controller.init({ t0, t1, direction, dt0, errorOrder: solver.errorOrder });
    let cstate = proposal.state;
    let tNext = proposal.tNext;
    // The step being proposed ends on a discontinuity / the previous one did (FSAL invalid).
    let endsOnJump = proposal.madeJump;
    let afterJump = false;
    state = solver.init(terms as never, t0, y, args, f0);
    f0 = undefined;
    let gPrev = events.length ? yield* readEvents(events, t, y, args) : [];
    let nonFiniteInRow = 0;
    const checkFinite = o.checkFinite ?? true;

    while ((t - t1) * direction < 0) {
      if (stats.steps >= maxSteps) {
        status = 'maxStepsReached';
        message = `reached maxSteps=${maxSteps} at t=${t} before t1=${t1}. Raise maxSteps, loosen rtol/atol, or check the problem is not stiff.`;
        break;
      }
      const pendingSave = nextSave < saveTs.length && ((saveTs[nextSave] as number) - tNext) * direction <= 0;
      const needsDense = pendingSave || events.length > 0 || !!saveAt.dense;
      const tStart = t;
      // A step ending on a jump stops one float short of it, so no stage sees the far side (as diffrax).
      const tEndNominal = tNext;
      const tEnd = endsOnJump && tNext !== t1 ? nextAfter(tNext, -direction) : tNext;
      const res = tidyTree(() => solver.step(terms as never, tStart, tEnd, y, args, state, { madeJump: afterJump, needsDense }));
      pending = res;
      stats.steps++;
      stats.nfe += res.nfe;

      let ratio: number | undefined;
      if (controller.adaptive) {
        if (!res.yError || !pid) throw new UnsupportedError('solver', `'${solver.name}' returned no error estimate.`);
        const r = errorRatio(res.yError, y, res.y1, pid.rtol, pid.atol, pid.norm);
        ratio = (yield r)[0] as number;
      } else if (checkFinite && !(yield* readFinite(res.y1))) {
        ratio = NaN;
      }
      const disposeResult = (): void => {
        pending = undefined;
        disposeStep(res);
      };

      if (ratio !== undefined && !Number.isFinite(ratio)) {
        nonFiniteInRow++;
        if (!controller.adaptive || nonFiniteInRow > NON_FINITE_RETRIES) {
          disposeResult();
          status = 'nonFinite';
          message = `the state or its error estimate became NaN/Infinity in the step from t=${tStart} to t=${tEnd}${controller.adaptive ? ` (${NON_FINITE_RETRIES} shrinking retries failed)` : ''}. Check the vector field for overflow, or take smaller steps.`;
          break;
        }
      } else {
        nonFiniteInRow = 0;
      }

      const decision = controller.adapt(tStart, tEndNominal, ratio, cstate);
      cstate = decision.state;
      if (!decision.accept) {
        stats.rejected++;
        disposeResult();
        if (decision.underflow && nonFiniteInRow > 0) {
          status = 'nonFinite';
          message = `the state or its error estimate stayed NaN/Infinity while the step shrank to nothing at t=${tStart}. Check the vector field for overflow or invalid operations there.`;
          break;
        }
        if (decision.underflow) {
          status = 'dtUnderflow';
          message = `the step size fell below dtmin (or float64 resolution) at t=${tStart}. The problem may be stiff or singular there; loosen rtol/atol or lower dtmin.`;
          break;
        }
        tNext = decision.tNext;
        endsOnJump = decision.madeJump;
        continue;
      }

      // Accepted.
      stats.accepted++;
      const interp = res.interp ? new LocalInterpolant<Y>(tStart, tEnd, treeClone(y), res.interp) : undefined;
      // From here the interpolant holds the step's vectors.
      pending = { ...res, interp: undefined };
      if (interp) pieceInFlight = interp;
      let stopAt: { t: number; y: Y } | undefined;
      if (events.length) {
        const gNew = yield* readEvents(events, tEnd, res.y1 as Y, args);
        let first: { index: number; t: number } | undefined;
        for (let k = 0; k < events.length; k++) {
          const e = events[k] as Event<Y, A>;
          if (crossed(gPrev[k] as number, gNew[k] as number, e.direction ?? 0)) {
            const te = yield* locateRoot(e, interp as LocalInterpolant<Y>, gPrev[k] as number, gNew[k] as number, args);
            if (!first || (te - first.t) * direction < 0) first = { index: k, t: te };
          }
        }
        gPrev = gNew;
        if (first) {
          event = first;
          const yStar = first.t === tEnd ? treeClone(res.y1 as Y) : (interp as LocalInterpolant<Y>).evaluate(first.t);
          if (tapeOn() && solver.evalDerivative) {
            // Under gradients: y(t*) and t* carry how t* moves with y0 and the parameters.
            const vf = solver.evalDerivative.bind(solver);
            const d = yield* differentiableEventState(
              events[first.index] as Event<Y, A>,
              first.t,
              yStar,
              args,
              (t, yy) => vf(terms as never, t, yy, args) as Y,
            );
            stopAt = { t: first.t, y: d.y };
            eventTime = d.t;
          } else {
            stopAt = { t: first.t, y: yStar };
            eventTime = tf.scalar(first.t);
          }
          // Dense output ends at the event.
          interp?.truncate(first.t);
        }
      }
      const stepEnd = stopAt ? stopAt.t : tEnd;
      while (nextSave < saveTs.length && ((saveTs[nextSave] as number) - stepEnd) * direction <= 0) {
        const ts = saveTs[nextSave++] as number;
        save(ts, ts === tEnd ? treeClone(res.y1) : (interp as LocalInterpolant<Y>).evaluate(ts));
      }
      if (saveAt.steps) save(stopAt ? stepEnd : tEndNominal, stopAt ? treeClone(stopAt.y) : treeClone(res.y1));
      if (interp && saveAt.dense) pieces.push(interp);
      else interp?.dispose();
      pieceInFlight = undefined;

      treeDispose(y);
      solver.disposeState(state);
      state = res.state;
      pending = undefined;
      if (stopAt) {
        treeDispose(res.y1, res.yError);
        y = stopAt.y;
        t = stopAt.t;
        status = 'eventOccurred';
        break;
      }
      treeDispose(res.yError);
      y = res.y1 as Y;
      // …and the next step starts one float past the jump.
      t = endsOnJump && tEndNominal !== t1 ? nextAfter(tEndNominal, direction) : tEnd;
      afterJump = endsOnJump;
      tNext = decision.tNext;
      endsOnJump = decision.madeJump;
      o.onStep?.(t, stats);
    }

    if (status === 'success' || status === 'eventOccurred') {
      if (saveAt.t1) {
        // The last use of y: hand it over instead of copying it.
        save(t, ownsY ? y : treeClone(y));
        ownsY = false;
      }
    }
    return finish();
  } finally {
    if (!finished) {
      releaseHeld();
      pieces.forEach((p) => p.dispose());
      pieceInFlight?.dispose();
      if (ownsY) treeDispose(y);
      treeDispose(eventTime);
      if (pending) disposeStep(pending);
    }
  }
}

/** The neighbouring float64 of x towards +∞ (dir 1) or −∞ (dir −1). @internal */
export function nextAfter(x: number, dir: number): number {
  if (x === 0) return dir > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigInt64(0);
  buf.setBigInt64(0, x > 0 === dir > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

function fail<Y extends Tree>(sol: Solution<Y>, throwOnFailure: boolean): Solution<Y> {
  if (!throwOnFailure || sol.status === 'success' || sol.status === 'eventOccurred') return sol;
  sol.dispose();
  // A non-finite result before any step is the vector field at (t0, y0) (y0 itself was checked).
  const argument =
    sol.status === 'maxStepsReached' ? 'maxSteps' : sol.status === 'dtUnderflow' ? 'dt' : sol.stats.steps === 0 ? 'terms.vf' : 'y';
  throw new SolveFailedError(
    sol.status,
    sol.tFinal,
    argument,
    sol.message ?? sol.status,
    'Pass throwOnFailure: false to get the partial solution.',
  );
}

function runSync<Y extends Tree>(loop: Loop<Y>): Solution<Y> {
  let r = loop.next();
  while (!r.done) {
    const x = r.value;
    if (tf.getBackend() === 'webgpu') {
      x.dispose();
      loop.return(undefined as never);
      throw new UnsupportedError(
        'solve',
        'needs a synchronous read, which WebGPU does not offer.',
        'Use solveAsync (or odeintAsync) on the webgpu backend.',
      );
    }
    const v = x.dataSync();
    x.dispose();
    r = loop.next(v);
  }
  return r.value;
}

async function runAsync<Y extends Tree>(loop: Loop<Y>): Promise<Solution<Y>> {
  let r = loop.next();
  while (!r.done) {
    const x = r.value;
    const v = await x.data();
    x.dispose();
    r = loop.next(v as ArrayLike<number>);
  }
  return r.value;
}

/** The plain loop, synchronously, without the adjoint hook. Used by adjoints to replay the forward pass. @internal */
export function solveDirect<Y extends Tree, A>(options: SolveOptions<Y, A>): Solution<Y> {
  return fail(runSync(solveLoop(options)), options.throwOnFailure ?? true);
}

/**
 * The loop on a step grid fixed in advance, without any read-back: for adjoints (`@nde/adjoint`'s
 * `valueAndGradsAsync`) that replay a solve synchronously under the gradient tape on backends with
 * no synchronous read (WebGPU). Needs a non-adaptive controller (e.g. `StepTo` of the grid an async
 * solve took), `checkFinite: false` and no events; the only read such a loop makes, "is y0 finite?",
 * is taken as answered (the caller's async solve checked it).
 *
 * @example
 * ```ts
 * const sol = solveReplay({ terms, solver: 'dopri5', t0: 0, t1: 1, y0, stepSizeController: new StepTo(grid), checkFinite: false });
 * ```
 *
 * @internal
 */
export function solveReplay<Y extends Tree, A>(options: SolveOptions<Y, A>): Solution<Y> {
  if (!options.stepSizeController || options.stepSizeController.adaptive || options.checkFinite !== false || options.event !== undefined) {
    throw new UnsupportedError(
      'options',
      'solveReplay needs a non-adaptive stepSizeController, checkFinite: false and no events.',
      'Use solve/solveAsync for other solves.',
    );
  }
  const loop = solveLoop(options);
  let r = loop.next();
  while (!r.done) {
    r.value.dispose();
    r = loop.next([1]);
  }
  return fail(r.value, options.throwOnFailure ?? true);
}

/**
 * Solve an ODE (or SDE) from t0 to t1.
 *
 * @param options - the equation (`terms`), the `solver`, `t0`, `t1`, `y0`, and optionally `dt0`, `args`, the
 *   `stepSizeController`, `saveAt`, `maxSteps`, `event`, `throwOnFailure`, `checkFinite`, `adjoint` and `onStep`
 *   (see {@link SolveOptions}).
 * @returns the solution; it owns its tensors (`dispose()` it).
 * @throws {@link SolveFailedError} when the solve fails and `throwOnFailure` is not false;
 *   `InvalidArgumentError` / `ShapeError` / `UnsupportedError` for bad input.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { solve, ODETerm, PIDController } from '@nde/solvers';
 * const sol = solve({
 *   terms: new ODETerm((t, y) => tf.neg(y as tf.Tensor)),
 *   solver: 'dopri5', t0: 0, t1: 1, y0: tf.ones([2]),
 *   stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-9 }),
 *   saveAt: { ts: [0, 0.5, 1] },
 * });
 * sol.ys.print(); console.log(sol.stats.nfe); sol.dispose();
 * ```
 */
export function solve<Y extends Tree, A = unknown>(options: SolveOptions<Y, A>): Solution<Y> {
  if (options.adjoint) {
    const { adjoint, ...rest } = options;
    return adjoint.solve(rest, solveDirect);
  }
  return solveDirect(options);
}

/**
 * {@link solve} without synchronous reads: each scalar the loop needs is read with `await data()`.
 * Use it on WebGPU and WebGL. Gradients through it: see `@nde/adjoint`'s async APIs.
 *
 * @param options - as for {@link solve} (without `adjoint`).
 * @returns a promise of the solution; it owns its tensors (`dispose()` it).
 *
 * @example
 * ```ts
 * const sol = await solveAsync({ terms, solver: 'tsit5', t0: 0, t1: 1, y0 });
 * ```
 */
export async function solveAsync<Y extends Tree, A = unknown>(options: SolveOptions<Y, A>): Promise<Solution<Y>> {
  if (options.adjoint) {
    throw new UnsupportedError(
      'adjoint',
      'cannot wrap solveAsync (tfjs records gradients synchronously).',
      "Use @nde/adjoint's valueAndGradsAsync, or solve() on cpu/wasm.",
    );
  }
  return fail(await runAsync(solveLoop(options)), options.throwOnFailure ?? true);
}
