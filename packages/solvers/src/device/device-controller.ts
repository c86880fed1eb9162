/**
 * {@link PIDController}'s rule and Hairer's first step, with tensors: the same formulas as the host
 * versions (`pid.ts`, `initial-step.ts`), evaluated per lane in float32 so the device-resident loop
 * never reads a ratio back. Each choice the host makes with `if` is a select here.
 */
import * as tf from '@tensorflow/tfjs';
import { select } from './select.js';
import type { PIDSettings } from '../controllers/pid.js';
import type { Tolerance } from '../error-norm.js';
import { laneNorm, laneView, type LaneLayout } from './lanes.js';

/** The controller's memory per lane: the inverse error ratios of the last two accepted steps. */
export interface PIDHistory {
  /** 1 / r of the previous accepted step (the "I" history). */
  readonly prevInv: tf.Tensor1D;
  /** 1 / r of the step before it (the "D" history). */
  readonly prevPrevInv: tf.Tensor1D;
}

/** What the rule decides for an attempted step of size `h` with error ratio `r`, per lane. */
export interface PIDVerdict {
  /** Keep the step (bool). */
  readonly accept: tf.Tensor1D;
  /** The ratio was finite (bool). */
  readonly finite: tf.Tensor1D;
  /** |next step| (float32). */
  readonly magnitude: tf.Tensor1D;
  /** Updated history. */
  readonly history: PIDHistory;
}

/** Per-lane constants the rule selects between, made once per solve (`[lanes]` each). */
export interface LaneConstants {
  readonly ones: tf.Tensor1D;
  readonly zeros: tf.Tensor1D;
  readonly factormin: tf.Tensor1D;
  readonly factormax: tf.Tensor1D;
}

/**
 * The constants for a solve's lanes.
 * @param s - the controller's settings
 * @param lanes - number of lanes
 */
export function laneConstants(s: Readonly<PIDSettings>, lanes: number): LaneConstants {
  return {
    ones: tf.ones([lanes]),
    zeros: tf.zeros([lanes]),
    factormin: tf.fill([lanes], s.factormin) as tf.Tensor1D,
    factormax: tf.fill([lanes], s.factormax) as tf.Tensor1D,
  };
}

/** Float64 machine epsilon: the resolution the host's dtUnderflow test uses, kept on the device. */
const EPS64 = Number.EPSILON;

/**
 * The PID decision per lane (see `PIDController.adapt`): accept when r ≤ 1, factor
 * safety · r^(−β1) · r_{n−1}^(−β2) · r_{n−2}^(−β3) clipped to [accept ? 1 : factormin, factormax].
 *
 * @param s - the controller's settings
 * @param k - error order + 1
 * @param h - attempted step sizes (signed)
 * @param r - error ratios
 * @param history - inverse ratios of the last accepted steps
 * @param c - the lane constants
 */
export function pidVerdict(
  s: Readonly<PIDSettings>,
  k: number,
  h: tf.Tensor1D,
  r: tf.Tensor1D,
  history: PIDHistory,
  c: LaneConstants,
): PIDVerdict {
  const finite = tf.isFinite(r) as tf.Tensor1D;
  let accept = tf.logicalAnd(finite, tf.lessEqual(r, 1)) as tf.Tensor1D;
  const size = tf.abs(h);
  if (s.forceDtmin && s.dtmin > 0) accept = tf.logicalOr(accept, tf.lessEqual(size, s.dtmin * (1 + 1e-12))) as tf.Tensor1D;
  const inv = tf.div(1, r);
  const b1 = (s.pcoeff + s.icoeff + s.dcoeff) / k;
  const b2 = -(s.pcoeff + 2 * s.dcoeff) / k;
  const b3 = s.dcoeff / k;
  let factor = tf.mul(tf.pow(inv, b1), s.safety);
  if (b2 !== 0) factor = tf.mul(factor, tf.pow(history.prevInv, b2));
  if (b3 !== 0) factor = tf.mul(factor, tf.pow(history.prevPrevInv, b3));
  factor = tf.minimum(tf.maximum(factor, select(accept, c.ones, c.factormin)), s.factormax);
  factor = select(tf.equal(r, 0), c.factormax, factor);
  factor = select(finite, factor, c.factormin);
  let magnitude = tf.mul(size, factor);
  if (s.dtmin > 0) magnitude = tf.maximum(magnitude, s.dtmin);
  if (Number.isFinite(s.dtmax)) magnitude = tf.minimum(magnitude, s.dtmax);
  const newInv = select(tf.logicalAnd(finite, tf.greater(r, 0)), inv, c.ones);
  return {
    accept,
    finite,
    magnitude: magnitude as tf.Tensor1D,
    history: {
      prevInv: select(accept, newInv, history.prevInv) as tf.Tensor1D,
      prevPrevInv: select(accept, history.prevInv, history.prevPrevInv) as tf.Tensor1D,
    },
  };
}

/**
 * Whether the next step would underflow (per lane), as `PIDController.adapt` judges it: below
 * dtmin after a rejection (unless forceDtmin), or below float64 resolution of the time it starts from.
 *
 * @param s - the controller's settings
 * @param verdict - the decision on the step
 * @param tBase - where the next step starts (the step's end if accepted, else its start), high part
 */
export function underflows(s: Readonly<PIDSettings>, verdict: PIDVerdict, tBase: tf.Tensor1D): tf.Tensor1D {
  let under = tf.lessEqual(verdict.magnitude, tf.mul(8 * EPS64, tf.maximum(1, tf.abs(tBase))));
  if (!s.forceDtmin && s.dtmin > 0) {
    under = tf.logicalOr(under, tf.logicalAnd(tf.logicalNot(verdict.accept), tf.lessEqual(verdict.magnitude, s.dtmin)));
  }
  return under as tf.Tensor1D;
}

/** What Hairer's rule needs on the device. */
export interface DeviceInitialStep {
  readonly y0: readonly tf.Tensor[];
  readonly f0: readonly tf.Tensor[];
  /** f at (t0 + h0, y0 + h0 f0), per lane. */
  readonly evaluate: (h0: tf.Tensor1D, y1: tf.Tensor[]) => tf.Tensor[];
  readonly rtol: Tolerance;
  readonly atol: Tolerance;
  /** Order the first step is scaled for (error order, else order). */
  readonly order: number;
  readonly direction: 1 | -1;
  readonly layout: LaneLayout;
}

/**
 * |dt0| per lane by Hairer's rule (as `hairerInitialStep`), signed by the direction. One extra
 * vector-field evaluation (f0 is the caller's).
 *
 * @param p - the start of the problem, f there, and the evaluation at the trial point
 */
export function deviceInitialStep(p: DeviceInitialStep): tf.Tensor1D {
  const { y0, f0, layout } = p;
  const rms = (x: readonly tf.Tensor[]): tf.Tensor1D => laneNorm(x, y0, y0, p.rtol, p.atol, 'rms', layout);
  const d0 = rms(y0);
  const d1 = rms(f0);
  const tiny = tf.logicalOr(tf.less(d0, 1e-5), tf.less(d1, 1e-5));
  const h0 = select(tiny, tf.fill(d0.shape, 1e-6), tf.div(tf.mul(0.01, d0), d1)) as tf.Tensor1D;
  const signed = tf.mul(h0, p.direction) as tf.Tensor1D;
  const y1 = y0.map((y, i) => tf.add(y, tf.mul(laneView(signed, y, layout), f0[i] as tf.Tensor)));
  const f1 = p.evaluate(signed, y1);
  const d2 = tf.div(rms(f1.map((f, i) => tf.sub(f, f0[i] as tf.Tensor))), h0);
  const flat = tf.logicalAnd(tf.lessEqual(d1, 1e-15), tf.lessEqual(d2, 1e-15));
  const h1 = select(flat, tf.maximum(tf.mul(h0, 1e-3), 1e-6), tf.pow(tf.div(0.01, tf.maximum(d1, d2)), 1 / (p.order + 1)));
  return tf.mul(tf.minimum(tf.mul(100, h0), h1), p.direction) as tf.Tensor1D;
}
