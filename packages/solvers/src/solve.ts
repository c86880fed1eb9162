/**
 * `solve`: the only stepping loop. Solvers, controllers, saving, events and adjoints plug into it.
 *
 * The loop is a generator that yields each scalar it must read (error ratio, event value, finiteness)
 * and receives its value back, so one loop serves both drivers: {@link solve} reads synchronously
 * (right for cpu and wasm, where readback is free) and {@link solveAsync} awaits `data()` (WebGPU has
 * no synchronous read, and WebGL stalls on one). Each pass of the loop is: step, read, adapt, record.
 */
import * as tf from '@tensorflow/tfjs';
import {
  hostReadCount,
  InvalidArgumentError,
  ShapeError,
  UnsupportedError,
  assertFiniteNumber,
  assertFloatTree,
  tidyTree,
  treeClone,
  treeDispose,
  treeLeaves,
  untaped,
  type Tree,
} from '@nde/core';
import { ConstantStepSize } from './controllers/constant.js';
import { isAdaptiveController, type Reads, type StepProposal, type StepSizeController } from './controllers/controller.js';
import { PIDController } from './controllers/pid.js';
import { SolveFailedError, type FailureStatus, type SolveStatus } from './errors.js';
import { EventWatcher, type Event, type EventOccurrence } from './events.js';
import { LocalInterpolant } from './interpolation.js';
import { NON_FINITE_RETRIES, failureArgument, failureMessage, type FailureFacts } from './messages.js';
import { resolveSolver } from './methods.js';
import { validateSaveAt } from './save-at.js';
import { Saver } from './saver.js';
import type { Solution, SolveOptions, SolveStats } from './solution.js';
import type { Solver, StepResult } from './solver.js';
import { isSdeTerm } from './sde/terms.js';
import { deviceLoop, type LaneSteps } from './device/device-loop.js';
import { allFinite } from './finite.js';

export type { AdjointMethod, Solution, SolveOptions, SolveStats } from './solution.js';

type Loop<Y extends Tree> = Generator<tf.Tensor, Solution<Y>, ArrayLike<number>>;

interface Setup<T> {
  readonly solver: Solver<T>;
  readonly controller: StepSizeController;
  readonly direction: 1 | -1;
}

function validate<Y extends Tree, A, T>(o: SolveOptions<Y, A, T>): Setup<T> {
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
  // The method tables hold solvers of every kind of terms: the solver's own `validate` checks the pairing.
  const solver = resolveSolver(o.solver as Solver | string, isSdeTerm(o.terms) ? 'sde' : 'ode') as Solver<T>;
  solver.validate(o.terms);
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
  if (controller.adaptive && !isAdaptiveController(controller)) {
    throw new InvalidArgumentError(
      'stepSizeController',
      `'${controller.name}' says it is adaptive but has no errorRatio method.`,
      'Implement AdaptiveStepSizeController (rtol, atol, norm, errorRatio), or set adaptive: false.',
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

function* readFinite(y: Tree): Reads<boolean> {
  const flag = untaped(() => tf.tidy(() => allFinite(treeLeaves(y))));
  const v = yield flag;
  return v[0] === 1;
}

/** Everything the loop carries from one step to the next, in one record. */
interface LoopState<Y extends Tree> {
  /** Current time and state (y owned by the loop until handed over). */
  t: number;
  y: Y;
  ownsY: boolean;
  /** Solver state (undefined until the first step is set up; a solve with t0 == t1 never has one). */
  solverState: unknown;
  controllerState: unknown;
  /** Where the next step ends, and whether it ends on a jump. */
  proposal: StepProposal;
  /** The previous step ended on a jump (FSAL invalid). */
  afterJump: boolean;
  nonFiniteInRow: number;
  status: SolveStatus;
  message?: string;
  event?: EventOccurrence;
  eventTime?: tf.Scalar;
  /** A step's result between the step and its acceptance or rejection. */
  pending?: StepResult<unknown>;
  /** An accepted step's interpolant until the saver takes it. */
  pieceInFlight?: LocalInterpolant<Y>;
  /** f(t0, y0) from the first-step choice, until the solver state takes it over. */
  f0?: Tree;
}

/** One attempted step: where it runs, and what the solver returned. */
interface Attempt {
  readonly tStart: number;
  /** The end the solver stepped to (a float short of a jump). */
  readonly tEnd: number;
  /** The end the controller proposed. */
  readonly tEndNominal: number;
  readonly result: StepResult<unknown>;
}

/** The stepping loop (see module doc). Yields scalars to read; the driver disposes them. */
function* solveLoop<Y extends Tree, A, T>(o: SolveOptions<Y, A, T>): Loop<Y> {
  const { solver, controller, direction } = validate(o);
  if (o.onDevice) return yield* deviceLoop(o, solver as Solver<unknown>, controller, direction, o.maxSteps ?? 16384);
  const { t0, t1, terms } = o;
  const args = o.args as A;
  const maxSteps = o.maxSteps ?? 16384;
  const checkFinite = o.checkFinite ?? true;
  const stats: SolveStats = { nfe: 0, accepted: 0, rejected: 0, steps: 0, hostReads: 0 };
  const saver = new Saver<Y>(o.saveAt ?? { t1: true }, direction);
  const events = new EventWatcher<Y, A>(
    o.event === undefined ? [] : Array.isArray(o.event) ? (o.event as readonly Event<Y, A>[]) : [o.event as Event<Y, A>],
    args,
    direction,
  );

  if (!(yield* readFinite(o.y0))) {
    throw new InvalidArgumentError('y0', 'contains NaN or Infinity.', 'Check the initial state (and whatever produced it).');
  }
  // The current state is a copy of y0: the vector field may return leaves of its input, and solver
  // states keep what it returns.
  const s: LoopState<Y> = {
    t: t0,
    y: treeClone(o.y0),
    ownsY: true,
    solverState: undefined,
    controllerState: undefined,
    proposal: { tNext: t1, madeJump: false },
    afterJump: false,
    nonFiniteInRow: 0,
    status: 'success',
  };
  let finished = false;

  const disposeStep = (r: StepResult<unknown>): void => {
    treeDispose(r.y1, r.yError, ...(r.interp?.vectors ?? []));
    solver.disposeState(r.state);
  };
  const failWith = (status: FailureStatus, facts: Partial<FailureFacts> = {}): void => {
    s.status = status;
    s.message = failureMessage(status, {
      t: s.t,
      t1,
      maxSteps,
      adaptive: controller.adaptive,
      retries: NON_FINITE_RETRIES,
      beforeFirstStep: stats.steps === 0,
      afterNonFinite: s.nonFiniteInRow > 0,
      solver: solver.name,
      ...facts,
    });
  };

  /** Set up the controller (and the first step) and the solver state. */
  function* begin(): Reads<boolean> {
    let dt0 = o.dt0;
    const resuming = o.controllerState !== undefined && controller.resume !== undefined;
    if (isAdaptiveController(controller) && dt0 === undefined && !resuming) {
      if (!controller.initialStep) {
        throw new InvalidArgumentError('dt0', `is required: '${controller.name}' cannot choose a first step.`, 'Pass dt0.');
      }
      const evaluate = solver.evalDerivative?.bind(solver);
      if (!evaluate) throw new UnsupportedError('dt0', `'${solver.name}' cannot choose its first step.`, 'Pass dt0.');
      const first = yield* controller.initialStep({
        t0,
        y0: s.y,
        direction,
        order: solver.errorOrder ?? solver.order,
        evaluate: (t, y) => {
          const f = tidyTree(() => evaluate(terms, t, y, args));
          stats.nfe++;
          return f;
        },
      });
      s.f0 = first.f0;
      dt0 = first.dt0;
      if (!Number.isFinite(dt0)) {
        failWith('nonFinite');
        return false;
      }
    }
    const ctx = { t0, t1, direction, dt0, errorOrder: solver.errorOrder };
    const p = resuming && controller.resume ? controller.resume(ctx, o.controllerState) : controller.init(ctx);
    s.controllerState = p.state;
    s.proposal = p;
    s.solverState = solver.init(terms, t0, s.y, args, s.f0);
    s.f0 = undefined;
    yield* events.start(t0, s.y);
    return true;
  }

  const tolerances = isAdaptiveController(controller)
    ? { tolerances: { rtol: controller.rtol, atol: controller.atol } }
    : controller.stepTolerances
      ? { tolerances: controller.stepTolerances }
      : {};

  /** Step: attempt [t, tNext] (one float short of a jump, so no stage sees its far side, as diffrax). */
  const attempt = (): Attempt => {
    const tStart = s.t;
    const tEndNominal = s.proposal.tNext;
    const tEnd = s.proposal.madeJump && tEndNominal !== t1 ? nextAfter(tEndNominal, -direction) : tEndNominal;
    const needsDense = saver.needsDense(tEndNominal) || events.active;
    const readsBefore = hostReadCount();
    const result = tidyTree(() =>
      solver.step(terms, tStart, tEnd, s.y, args, s.solverState, { madeJump: s.afterJump, needsDense, ...tolerances }),
    );
    stats.hostReads += hostReadCount() - readsBefore;
    s.pending = result;
    stats.steps++;
    stats.nfe += result.nfe;
    if (result.counts) {
      stats.jacobians = (stats.jacobians ?? 0) + result.counts.jacobians;
      stats.factorizations = (stats.factorizations ?? 0) + result.counts.factorizations;
      stats.newtonIterations = (stats.newtonIterations ?? 0) + result.counts.newtonIterations;
    }
    return { tStart, tEnd, tEndNominal, result };
  };

  /** Read: the error ratio (adaptive), or whether the state is finite; Infinity for a failed step. */
  function* read(a: Attempt): Reads<number | undefined> {
    const r = a.result;
    if (r.status === 'failed') return Infinity;
    if (isAdaptiveController(controller)) {
      if (!r.yError) throw new UnsupportedError('solver', `'${solver.name}' returned no error estimate.`);
      return (yield controller.errorRatio(r.yError, s.y, r.y1))[0] as number;
    }
    if (checkFinite && !(yield* readFinite(r.y1))) return NaN;
    return undefined;
  }

  /** Adapt: the controller's verdict. Returns the next proposal after an accepted step; undefined to retry or stop. */
  const adapt = (a: Attempt, ratio: number | undefined): StepProposal | undefined => {
    const failed = a.result.status === 'failed';
    const discard = (): void => {
      s.pending = undefined;
      disposeStep(a.result);
    };
    if (failed || ratio === undefined || Number.isFinite(ratio)) {
      s.nonFiniteInRow = 0;
    } else if (!controller.adaptive || ++s.nonFiniteInRow > NON_FINITE_RETRIES) {
      discard();
      failWith('nonFinite', { tEnd: a.tEnd, afterNonFinite: false });
      return undefined;
    }
    if (failed && !controller.adaptive) {
      discard();
      failWith('stepFailed', { tEnd: a.tEnd });
      return undefined;
    }
    const decision = controller.adapt(
      a.tStart,
      a.tEndNominal,
      ratio,
      s.controllerState,
      a.result.errorOrder !== undefined ? { errorOrder: a.result.errorOrder } : undefined,
    );
    s.controllerState = decision.state;
    if (decision.accept) return decision;
    stats.rejected++;
    discard();
    if (decision.status === 'dtUnderflow') {
      failWith(failed ? 'stepFailed' : s.nonFiniteInRow > 0 ? 'nonFinite' : 'dtUnderflow', { tEnd: a.tEnd });
      return undefined;
    }
    s.proposal = decision;
    return undefined;
  };

  /** Record: events, saving, and moving the state on. Returns true when an event ends the solve. */
  function* record(a: Attempt, next: StepProposal): Reads<boolean> {
    const r = a.result;
    stats.accepted++;
    const interp = r.interp ? new LocalInterpolant<Y>(a.tStart, a.tEnd, treeClone(s.y), r.interp) : undefined;
    // From here the interpolant holds the step's vectors.
    s.pending = { ...r, interp: undefined };
    s.pieceInFlight = interp;
    const y1 = r.y1 as Y;
    const occurrence = yield* events.check(a.tEnd, y1, interp as LocalInterpolant<Y>);
    let stop: { t: number; y: Y } | undefined;
    if (occurrence) {
      const vf = solver.evalDerivative?.bind(solver);
      const at = yield* events.stateAt(occurrence, a.tEnd, y1, interp as LocalInterpolant<Y>, vf && ((t, y) => vf(terms, t, y, args) as Y));
      stop = { t: occurrence.t, y: at.y };
      s.event = occurrence;
      s.eventTime = at.t;
    }
    saver.step({ tEnd: a.tEnd, tEndNominal: a.tEndNominal, y1, interp, ...(stop ? { stop } : {}) });
    s.pieceInFlight = undefined;
    treeDispose(s.y, r.yError);
    solver.disposeState(s.solverState);
    s.solverState = r.state;
    s.pending = undefined;
    if (stop) {
      treeDispose(r.y1);
      s.y = stop.y;
      s.t = stop.t;
      s.status = 'eventOccurred';
      return true;
    }
    s.y = y1;
    // …and the next step starts one float past the jump.
    s.t = s.proposal.madeJump && a.tEndNominal !== t1 ? nextAfter(a.tEndNominal, direction) : a.tEnd;
    s.afterJump = s.proposal.madeJump;
    s.proposal = next;
    o.onStep?.(s.t, stats, s.y);
    return false;
  }

  const finish = (): Solution<Y> => {
    const { ts, ys, dense } = saver.collect();
    if (s.solverState !== undefined) solver.disposeState(s.solverState);
    treeDispose(s.f0);
    // A failed solve hands its last state over: the partial solution's `yFinal`, at `tFinal`.
    // (ownsY is true then: only success hands y to the saved states.)
    const failed = s.status !== 'success' && s.status !== 'eventOccurred';
    const yFinal = failed ? s.y : undefined;
    if (s.ownsY && !failed) treeDispose(s.y);
    finished = true;
    const { message, event, eventTime, status, controllerState } = s;
    return {
      ts,
      ys,
      stats,
      status,
      ...(message ? { message } : {}),
      tFinal: s.t,
      ...(event ? { event } : {}),
      ...(dense ? { dense } : {}),
      ...(yFinal ? { yFinal } : {}),
      ...(eventTime ? { eventTime } : {}),
      ...(controllerState !== undefined ? { controllerState } : {}),
      dispose: () => {
        treeDispose(ys, yFinal, eventTime);
        dense?.dispose();
      },
    };
  };

  // On an error (a throwing vector field, a bad event function) or an abandoned loop, everything the
  // loop holds is released before the error propagates.
  try {
    saver.start(t0, s.y);
    if (t0 !== t1 && (yield* begin())) {
      while ((s.t - t1) * direction < 0) {
        if (stats.steps >= maxSteps) {
          failWith('maxStepsReached');
          break;
        }
        const a = attempt();
        const ratio = yield* read(a);
        const next = adapt(a, ratio);
        if (!next) {
          if (s.status !== 'success') break;
          continue;
        }
        if (yield* record(a, next)) break;
      }
    }
    // The last use of y: hand it over instead of copying it.
    if (s.status === 'success' || s.status === 'eventOccurred') s.ownsY = !saver.end(s.t, s.y, s.ownsY) && s.ownsY;
    return finish();
  } finally {
    if (!finished) {
      saver.dispose();
      if (s.solverState !== undefined) solver.disposeState(s.solverState);
      treeDispose(s.f0);
      s.pieceInFlight?.dispose();
      if (s.ownsY) treeDispose(s.y);
      treeDispose(s.eventTime);
      if (s.pending) disposeStep(s.pending);
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
  throw new SolveFailedError(
    sol.status,
    sol.tFinal,
    failureArgument(sol.status, sol.stats.steps),
    sol.message ?? sol.status,
    'Pass throwOnFailure: false to get the partial solution.',
  );
}

function runSync<Y extends Tree>(loop: Loop<Y>): Solution<Y> {
  let reads = 0;
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
    reads++;
    r = loop.next(v);
  }
  r.value.stats.hostReads += reads;
  return r.value;
}

async function runAsync<Y extends Tree>(loop: Loop<Y>): Promise<Solution<Y>> {
  let reads = 0;
  let r = loop.next();
  while (!r.done) {
    const x = r.value;
    const v = await x.data();
    x.dispose();
    reads++;
    r = loop.next(v as ArrayLike<number>);
  }
  r.value.stats.hostReads += reads;
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
 * Replay a per-sample device-resident solve from its recorded lane steps (`sol.laneSteps` of a solve
 * with `onDevice: { perSample: true, recordLanes: true }`): the same stages, carry-over and saving,
 * synchronously and without a read, so it runs under the gradient tape on WebGPU too (`@nde/adjoint`'s
 * `valueAndGradsAsync` uses it).
 *
 * @param options - the options of the recorded solve
 * @param steps - its lane steps
 * @returns the replayed solution (owned by the caller)
 * @example
 * ```ts
 * const sol = await solveAsync({ ...options, onDevice: { perSample: true, recordLanes: true } });
 * const again = solveLanesReplay(options, sol.laneSteps!);
 * ```
 * @internal
 */
export function solveLanesReplay<Y extends Tree, A>(options: SolveOptions<Y, A>, steps: LaneSteps): Solution<Y> {
  if (!options.onDevice?.perSample) {
    throw new UnsupportedError(
      'options.onDevice',
      'a lane replay needs the options of a per-sample device-resident solve.',
      'Pass onDevice: { perSample: true }.',
    );
  }
  const { solver, controller, direction } = validate(options);
  const loop = deviceLoop(options, solver as Solver<unknown>, controller, direction, options.maxSteps ?? 16384, steps);
  const r = loop.next();
  if (!r.done) {
    r.value.dispose();
    loop.return(undefined as never);
    throw new UnsupportedError('steps', 'the replay asked for a read.', 'Report this: a lane replay reads nothing.');
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
    if (options.onDevice) {
      throw new UnsupportedError(
        'adjoint',
        'cannot wrap a device-resident solve.',
        "Train through it with @nde/adjoint's valueAndGradsAsync (its forward runs device-resident), or drop onDevice.",
      );
    }
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
