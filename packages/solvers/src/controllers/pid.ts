/**
 * Adaptive step sizes from the scaled error ratio r (accept when r ≤ 1):
 *   factor = safety · r_n^(−β1) · r_{n−1}^(−β2) · r_{n−2}^(−β3),  β = (P+I+D, −(P+2D), D) / (q+1)
 * with q the order of the error estimate (Söderlind's PID form, as in diffrax). I-control
 * (pcoeff 0, icoeff 1, dcoeff 0) is the classic controller of torchdiffeq and Hairer.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnsupportedError, type Tree } from '@nde/core';
import { errorRatio, type Tolerance, type ErrorNorm } from '../error-norm.js';
import { hairerInitialStep } from '../initial-step.js';
import { StepMarks } from './clip.js';
import {
  clipToEnd,
  type AdaptiveStepSizeController,
  type ControllerInit,
  type InitialStep,
  type InitialStepProblem,
  type Reads,
  type StepDecision,
  type StepInfo,
  type StepProposal,
} from './controller.js';

/** Options of {@link PIDController}. */
export interface PIDOptions {
  /** Relative tolerance: a number or a tree of per-component tolerances (default 1e-3). */
  rtol?: Tolerance;
  /** Absolute tolerance (default 1e-6). */
  atol?: Tolerance;
  /** Proportional coefficient (default 0). */
  pcoeff?: number;
  /** Integral coefficient (default 1). */
  icoeff?: number;
  /** Derivative coefficient (default 0). */
  dcoeff?: number;
  /** Safety factor (default 0.9). */
  safety?: number;
  /** Smallest shrink factor on rejection (default 0.2). */
  factormin?: number;
  /** Largest growth factor (default 10). */
  factormax?: number;
  /** Smallest |dt|; below it the solve fails with dtUnderflow unless `forceDtmin` (default 0). */
  dtmin?: number;
  /** Largest |dt| (default ∞). */
  dtmax?: number;
  /** Accept steps at dtmin even if the error is too large (default false). */
  forceDtmin?: boolean;
  /**
   * Times steps must land on (e.g. observation times).
   * @deprecated Wrap the controller instead: `clipSteps(new PIDController(…), { stepTs })`; works for any controller.
   */
  stepTs?: readonly number[];
  /**
   * Times where the vector field is discontinuous: steps land on them and FSAL is reset.
   * @deprecated Wrap the controller instead: `clipSteps(new PIDController(…), { jumpTs })`.
   */
  jumpTs?: readonly number[];
  /** How the scaled error is reduced to one number (default 'rms'). */
  norm?: ErrorNorm;
}

/** {@link PIDOptions} without tolerances, norm and step marks, every default filled in. */
export type PIDSettings = Required<Omit<PIDOptions, 'rtol' | 'atol' | 'stepTs' | 'jumpTs' | 'norm'>>;

/** Per-solve state of {@link PIDController}; opaque to users, carried between `init` and `decide`. */
export interface PIDState {
  /** Signed step proposal, before clipping to dtmin/dtmax and jump times. */
  readonly dt: number;
  /** Inverse scaled error of the previous accepted step (the "I" history). */
  readonly prevInv: number;
  /** Inverse scaled error of the step before that (the "D" history). */
  readonly prevPrevInv: number;
  /** Error-estimate order + 1, the exponent base of the controller. */
  readonly k: number;
  /** End of the integration interval. */
  readonly t1: number;
  /** +1 when integrating forward in time, -1 backward. */
  readonly direction: 1 | -1;
}

/**
 * PID step-size controller (I-controller by default). Owns its tolerances, its error norm and its
 * first step (Hairer's rule).
 *
 * @example
 * ```ts
 * new PIDController({ rtol: 1e-6, atol: 1e-9 });                          // classic I-control
 * new PIDController({ rtol: 1e-4, atol: 1e-6, pcoeff: 0.3, icoeff: 0.3 }); // PI, smoother on stiff-ish problems
 * ```
 */
export class PIDController implements AdaptiveStepSizeController<PIDState> {
  /** Identifier of this controller: `'pid'`. */
  readonly name = 'pid';
  readonly adaptive = true;
  /** Relative tolerance: a number or a tree of per-component tolerances (default 1e-3). */
  readonly rtol: Tolerance;
  /** Absolute tolerance: a number or a tree of per-component tolerances (default 1e-6). */
  readonly atol: Tolerance;
  /** How the scaled error is reduced to one number (default `'rms'`). */
  readonly norm: ErrorNorm;
  private readonly o: PIDSettings;
  private readonly marks: StepMarks;

  constructor(opts: PIDOptions = {}) {
    this.rtol = opts.rtol ?? 1e-3;
    this.atol = opts.atol ?? 1e-6;
    this.norm = opts.norm ?? 'rms';
    this.o = {
      pcoeff: opts.pcoeff ?? 0,
      icoeff: opts.icoeff ?? 1,
      dcoeff: opts.dcoeff ?? 0,
      safety: opts.safety ?? 0.9,
      factormin: opts.factormin ?? 0.2,
      factormax: opts.factormax ?? 10,
      dtmin: opts.dtmin ?? 0,
      dtmax: opts.dtmax ?? Infinity,
      forceDtmin: opts.forceDtmin ?? false,
    };
    for (const [name, v] of [
      ['rtol', this.rtol],
      ['atol', this.atol],
    ] as const) {
      if (typeof v === 'number' && !(v >= 0 && Number.isFinite(v))) {
        throw new InvalidArgumentError(name, `must be a finite number ≥ 0 (got ${v}).`);
      }
    }
    if (typeof this.rtol === 'number' && typeof this.atol === 'number' && this.rtol === 0 && this.atol === 0) {
      throw new InvalidArgumentError('rtol/atol', 'cannot both be 0.', 'Set e.g. rtol: 1e-6, atol: 1e-9.');
    }
    if (!(this.o.factormin > 0 && this.o.factormin <= 1 && this.o.factormax >= 1 && this.o.safety > 0 && this.o.safety <= 1)) {
      throw new InvalidArgumentError('factormin/factormax/safety', 'need 0 < factormin ≤ 1 ≤ factormax and 0 < safety ≤ 1.');
    }
    if (!(this.o.dtmin >= 0 && this.o.dtmax > this.o.dtmin)) {
      throw new InvalidArgumentError('dtmin/dtmax', `need 0 ≤ dtmin < dtmax (got ${this.o.dtmin}, ${this.o.dtmax}).`);
    }
    this.marks = new StepMarks(opts.stepTs, opts.jumpTs);
  }

  /**
   * The resolved coefficients and limits (defaults filled in), for loops that run the same rule
   * elsewhere (the device-resident loop runs it with tensors).
   */
  get settings(): Readonly<PIDSettings> {
    return this.o;
  }

  /** True when the deprecated `stepTs`/`jumpTs` options are set. */
  get clipsSteps(): boolean {
    return !this.marks.empty;
  }

  errorRatio(yError: Tree, y0: Tree, y1: Tree): tf.Scalar {
    return errorRatio(yError, y0, y1, this.rtol, this.atol, this.norm);
  }

  initialStep(problem: InitialStepProblem): Reads<InitialStep> {
    return hairerInitialStep(problem, this.rtol, this.atol);
  }

  init(ctx: ControllerInit): StepProposal & { state: PIDState } {
    if (ctx.errorOrder === undefined) {
      throw new UnsupportedError(
        'solver',
        'has no error estimate, so PIDController cannot adapt its steps.',
        'Use an adaptive method (dopri5, tsit5, bosh3, heun, dopri8) or ConstantStepSize with dt0.',
      );
    }
    if (ctx.dt0 === undefined || Math.sign(ctx.dt0) !== ctx.direction) {
      throw new InvalidArgumentError(
        'dt0',
        `must be ${ctx.direction > 0 ? '> 0 for a forward' : '< 0 for a backward'} solve (got ${ctx.dt0}).`,
        'Omit dt0 to have it chosen automatically.',
      );
    }
    const dt = this.clampDt(ctx.dt0) * ctx.direction;
    const state: PIDState = { dt, prevInv: 1, prevPrevInv: 1, k: ctx.errorOrder + 1, t1: ctx.t1, direction: ctx.direction };
    return { state, ...this.propose(ctx.t0, dt, state) };
  }

  /** Carry the step size and error history into a new interval (same direction keeps the step's sign). */
  resume(ctx: ControllerInit, s: PIDState): StepProposal & { state: PIDState } {
    const state: PIDState = { ...s, dt: Math.abs(s.dt) * ctx.direction, t1: ctx.t1, direction: ctx.direction };
    return { state, ...this.propose(ctx.t0, state.dt, state) };
  }

  private clampDt(dt: number): number {
    return Math.min(Math.max(Math.abs(dt), this.o.dtmin), this.o.dtmax);
  }

  /** End of a step of signed size dt from t, clipped to the interval end and to the next step/jump time. */
  private propose(t: number, dt: number, s: PIDState): StepProposal {
    const { tNext, madeJump } = this.marks.clip(t, { tNext: clipToEnd(t + dt, s.t1, s.direction), madeJump: false }, s.direction);
    return { tNext, madeJump };
  }

  adapt(t0: number, t1: number, errorRatio: number | undefined, s: PIDState, info?: StepInfo): StepDecision<PIDState> {
    // A variable-order method's step reports its own order: the exponents follow it.
    const k = info?.errorOrder !== undefined ? info.errorOrder + 1 : s.k;
    const r = errorRatio ?? NaN;
    const finite = Number.isFinite(r);
    // forceDtmin: a step already at dtmin is kept whatever its error.
    const accept = (finite && r <= 1) || (this.o.forceDtmin && this.o.dtmin > 0 && Math.abs(t1 - t0) <= this.o.dtmin * (1 + 1e-12));
    const { pcoeff, icoeff, dcoeff, safety, factormax, dtmin, forceDtmin } = this.o;
    let factor: number;
    if (!finite) {
      factor = this.o.factormin; // NaN/∞ error: shrink hard and retry
    } else if (r === 0) {
      factor = factormax;
    } else {
      const inv = 1 / r;
      const b1 = (pcoeff + icoeff + dcoeff) / k;
      const b2 = -(pcoeff + 2 * dcoeff) / k;
      const b3 = dcoeff / k;
      factor = safety * inv ** b1 * s.prevInv ** b2 * s.prevPrevInv ** b3;
      factor = Math.min(factormax, Math.max(accept ? 1 : this.o.factormin, factor));
    }
    const attempted = Math.abs(t1 - t0);
    let mag = this.clampDt(attempted * factor);
    let underflow = false;
    if (!accept && mag <= dtmin) {
      if (forceDtmin) mag = dtmin;
      else underflow = true;
    }
    const tBase = accept ? t1 : t0;
    if (mag <= 8 * Number.EPSILON * Math.max(1, Math.abs(tBase))) underflow = true;
    const inv = finite && r > 0 ? 1 / r : 1;
    const state: PIDState = {
      ...s,
      dt: mag * s.direction,
      prevInv: accept ? inv : s.prevInv,
      prevPrevInv: accept ? s.prevInv : s.prevPrevInv,
    };
    return { accept, status: underflow ? 'dtUnderflow' : 'ok', state, ...this.propose(tBase, state.dt, state) };
  }
}
