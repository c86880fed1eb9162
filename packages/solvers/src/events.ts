/**
 * Terminal events: a function of (t, y) whose sign change stops the solve; how the loop reads them,
 * locates their root on a step's dense output, and makes the state at the event time differentiable
 * with respect to everything the event time depends on.
 */
import * as tf from '@tensorflow/tfjs';
import {
  addMany,
  InvalidArgumentError,
  isTensor,
  ownedResult,
  tapeOn,
  treeClone,
  tidyTree,
  treeAdd,
  treeDispose,
  treeLeaves,
  treeMap,
  untaped,
  vjp,
  type Tree,
} from '@nde/core';
import type { Reads } from './controllers/controller.js';
import type { LocalInterpolant } from './interpolation.js';

/**
 * An event. The solve stops at the first time the function changes sign (in `direction`);
 * the time is located by root-finding on the step's dense output to within `tol`.
 *
 * @example
 * ```ts
 * // stop when a falling ball hits the ground (height is component 0)
 * event: { fn: (t, y) => (y as tf.Tensor).slice([0], [1]).sum(), direction: -1 }
 * ```
 */
export interface Event<Y extends Tree = Tree, A = unknown> {
  /** A scalar function: a number or a tensor with one element. */
  readonly fn: (t: number, y: Y, args: A) => number | tf.Tensor;
  /** +1: only upward crossings (− to +), −1: only downward, 0 (default): both. */
  readonly direction?: 1 | -1 | 0;
  /**
   * Width below which the root's bracket stops shrinking (default 1e-10 · max(1, |t|)). What holds in
   * the end is set by float32: `fn` is evaluated on float32 states, so the located time is accurate to
   * about (float32 rounding of `fn`) / |d fn/dt|, ~1e-7 relative for quantities of order one.
   */
  readonly tol?: number;
}

/** Which event fired and when. */
export interface EventOccurrence {
  /** Index into the `event` array (0 for a single event). */
  readonly index: number;
  /** Located event time. */
  readonly t: number;
}

/** True when g went from g0 to g1 across 0 in the allowed direction. @internal */
export function crossed(g0: number, g1: number, direction: 1 | -1 | 0): boolean {
  if (!(Number.isFinite(g0) && Number.isFinite(g1))) return false;
  const up = g0 < 0 && g1 >= 0;
  const down = g0 > 0 && g1 <= 0;
  return direction === 1 ? up : direction === -1 ? down : up || down;
}

function eventValue<Y extends Tree, A>(e: Event<Y, A>, t: number, y: Y, args: A): number | tf.Tensor {
  // Owned: the driver disposes what it reads, and fn may return a leaf of y itself.
  const g = tf.tidy(() => ownedResult(() => e.fn(t, y, args) as never)) as unknown;
  if (typeof g === 'number') return g;
  if (!isTensor(g)) {
    throw new InvalidArgumentError('event.fn', `must return a number or a one-element tensor (got ${g === null ? 'null' : typeof g}).`);
  }
  if (g.size !== 1) {
    g.dispose();
    throw new InvalidArgumentError('event.fn', `must return a scalar (got shape [${g.shape}]).`, 'Reduce it, e.g. with tf.sum or a slice.');
  }
  return g;
}

/** Each event function's value at (t, y), read back (the loop's driver disposes what it reads). @internal */
export function* readEvents<Y extends Tree, A>(events: readonly Event<Y, A>[], t: number, y: Y, args: A): Reads<number[]> {
  const out: number[] = [];
  for (const e of events) {
    const g = untaped(() => eventValue(e, t, y, args));
    out.push(typeof g === 'number' ? g : ((yield g)[0] as number));
  }
  return out;
}

/** Root of an event function on a step's interpolant (Illinois regula falsi, bracketing). @internal */
export function* locateRoot<Y extends Tree, A>(
  e: Event<Y, A>,
  interp: LocalInterpolant<Y>,
  g0: number,
  g1: number,
  args: A,
): Reads<number> {
  let a = interp.t0;
  let b = interp.t1;
  let ga = g0;
  let gb = g1;
  if (gb === 0) return b;
  const tol = e.tol ?? 1e-10 * Math.max(1, Math.abs(a), Math.abs(b));
  let side = 0;
  for (let iter = 0; iter < 100 && Math.abs(b - a) > tol; iter++) {
    let c = (a * gb - b * ga) / (gb - ga);
    if (!Number.isFinite(c) || (c - a) * (c - b) > 0) c = (a + b) / 2;
    const yc = untaped(() => interp.evaluate(c));
    const [gc] = yield* readEvents([e], c, yc, args);
    treeDispose(yc);
    if (gc === undefined || gc === 0) return c;
    if (Math.sign(gc) === Math.sign(gb)) {
      b = c;
      gb = gc;
      if (side === -1) ga /= 2;
      side = -1;
    } else {
      a = c;
      ga = gc;
      if (side === 1) gb /= 2;
      side = 1;
    }
  }
  return Math.abs(gb) < Math.abs(ga) ? b : a;
}

// Value 0, gradient 1: carries dg/dθ into the event time without changing any value.
const zeroWithUnitGrad = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.zerosLike(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => [dy],
}));

/**
 * The state at an event time t*, made differentiable through t* (implicit function theorem, as
 * torchdiffeq's `odeint_event` and diffrax): g(t*(θ), y(t*(θ); θ)) = 0 gives
 * d(t*)/dθ = −(∂g/∂y · ∂y/∂θ + ∂g/∂θ) / ġ with ġ = ∂g/∂t + ∂g/∂y · f(t*, y*). Returns
 * `y* + f(t*, y*) τ` and `t* + τ` with τ = −(g − stop(g)) / ġ: values unchanged (τ is 0), gradients
 * complete. Only called while gradients are recorded; `yStar` is taken over.
 *
 * @internal
 */
export function* differentiableEventState<Y extends Tree, A>(
  e: Event<Y, A>,
  tStar: number,
  yStar: Y,
  args: A,
  vectorField: (t: number, y: Y) => Y,
): Reads<{ y: Y; t: tf.Scalar }> {
  // ġ on the host, off the outer tape: ∂g/∂y · f by one vector–Jacobian product (a nested tape of
  // its own), ∂g/∂t by a central difference in t alone. f* enters only multiplied by τ = 0, so it is
  // a constant for the gradient too.
  const fStar = untaped(() => vectorField(tStar, yStar));
  const gAt = (t: number): tf.Tensor => tf.reshape(toTensor(e.fn(t, yStar, args)), []);
  const dgdy = vjp(() => gAt(tStar), treeLeaves(yStar));
  const delta = 1e-3 * Math.max(1, Math.abs(tStar));
  const gdot = untaped(() =>
    tf.tidy(() => {
      const fl = treeLeaves(fStar);
      const parts = dgdy.map((g, i) => tf.sum(tf.mul(g, fl[i] as tf.Tensor)));
      const along = addMany(parts);
      return tf.add(along, tf.div(tf.sub(gAt(tStar + delta), gAt(tStar - delta)), 2 * delta));
    }),
  );
  tf.dispose(dgdy);
  const gdotValue = (yield gdot)[0] as number;
  const inverse = Number.isFinite(gdotValue) && gdotValue !== 0 ? -1 / gdotValue : 0;
  const tau = tf.tidy(() => tf.mul(zeroWithUnitGrad(gAt(tStar)), inverse)) as tf.Scalar;
  const y = tidyTree(() =>
    treeAdd(
      yStar,
      treeMap((l) => tf.mul(l, tau), fStar),
    ),
  );
  const t = tf.tidy(() => tf.add(tau, tStar)) as tf.Scalar;
  treeDispose(yStar, fStar);
  tau.dispose();
  return { y, t };
}

function toTensor(g: number | tf.Tensor): tf.Tensor {
  return typeof g === 'number' ? tf.scalar(g) : g;
}

/**
 * The loop's view of its events: their values at the last accepted state, and whether (and where,
 * and with what state) a step crossed one. @internal
 */
export class EventWatcher<Y extends Tree, A> {
  private values: number[] = [];

  /**
   * @param events - the terminal events (none is fine)
   * @param args - passed to every event function
   * @param direction - +1 forward, −1 backward
   */
  constructor(
    private readonly events: readonly Event<Y, A>[],
    private readonly args: A,
    private readonly direction: 1 | -1,
  ) {}

  /** True when there is at least one event. */
  get active(): boolean {
    return this.events.length > 0;
  }

  /**
   * Read the event functions at the start.
   * @param t - start time
   * @param y - initial state
   */
  *start(t: number, y: Y): Reads<void> {
    if (this.active) this.values = yield* readEvents(this.events, t, y, this.args);
  }

  /**
   * The earliest event crossed by the accepted step ending at (tEnd, y1), located on its interpolant;
   * undefined when none was crossed.
   * @param tEnd - end of the step
   * @param y1 - the state there
   * @param interp - the step's interpolant (required when there are events)
   */
  *check(tEnd: number, y1: Y, interp: LocalInterpolant<Y>): Reads<EventOccurrence | undefined> {
    if (!this.active) return undefined;
    const gNew = yield* readEvents(this.events, tEnd, y1, this.args);
    let first: EventOccurrence | undefined;
    for (let k = 0; k < this.events.length; k++) {
      const e = this.events[k] as Event<Y, A>;
      const g0 = this.values[k] as number;
      const g1 = gNew[k] as number;
      if (crossed(g0, g1, e.direction ?? 0)) {
        const te = yield* locateRoot(e, interp, g0, g1, this.args);
        if (!first || (te - first.t) * this.direction < 0) first = { index: k, t: te };
      }
    }
    this.values = gNew;
    return first;
  }

  /**
   * The state and time at an event inside an accepted step. Under gradients (and with a vector field
   * to give ġ) both carry how t* moves with y0 and the parameters; dense output is cut at t*.
   * @param occurrence - the event and its time
   * @param tEnd - end of the step
   * @param y1 - the state there (not taken over)
   * @param interp - the step's interpolant
   * @param vectorField - f(t, y), for the event-time sensitivity
   */
  *stateAt(
    occurrence: EventOccurrence,
    tEnd: number,
    y1: Y,
    interp: LocalInterpolant<Y>,
    vectorField: ((t: number, y: Y) => Y) | undefined,
  ): Reads<{ y: Y; t: tf.Scalar }> {
    const yStar = occurrence.t === tEnd ? (treeClone(y1) as Y) : interp.evaluate(occurrence.t);
    interp.truncate(occurrence.t);
    if (tapeOn() && vectorField) {
      return yield* differentiableEventState(this.events[occurrence.index] as Event<Y, A>, occurrence.t, yStar, this.args, vectorField);
    }
    return { y: yStar, t: tf.scalar(occurrence.t) };
  }
}
