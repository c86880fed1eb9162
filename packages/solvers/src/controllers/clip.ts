/**
 * Steps that land on given times: `stepTs` (observation times, say) and `jumpTs` (where the vector
 * field is discontinuous; a step ending there resets FSAL). A wrapper around any controller, as
 * diffrax's `ClipStepSizeController`: the inner controller proposes, the wrapper shortens the
 * proposal to the next mark.
 */
import { InvalidArgumentError, type Tree } from '@nde/core';
import type * as tf from '@tensorflow/tfjs';
import type { ErrorNorm, Tolerance } from '../error-norm.js';
import type {
  AdaptiveStepSizeController,
  ControllerInit,
  InitialStep,
  InitialStepProblem,
  Reads,
  StepDecision,
  StepInfo,
  StepProposal,
  StepSizeController,
} from './controller.js';
import { isAdaptiveController } from './controller.js';

/** Sorted step and jump times, and where a proposal must stop for them. @internal */
export class StepMarks {
  private readonly marks: readonly { t: number; jump: boolean }[];

  /**
   * @param stepTs - times steps must land on
   * @param jumpTs - times of discontinuities
   */
  constructor(stepTs: readonly number[] = [], jumpTs: readonly number[] = []) {
    const marks = [...stepTs.map((t) => ({ t, jump: false })), ...jumpTs.map((t) => ({ t, jump: true }))];
    marks.forEach((m) => {
      if (!Number.isFinite(m.t)) throw new InvalidArgumentError(m.jump ? 'jumpTs' : 'stepTs', `contains a non-finite time (${m.t}).`);
    });
    this.marks = marks.sort((a, b) => a.t - b.t);
  }

  /** True when there are no marks. */
  get empty(): boolean {
    return this.marks.length === 0;
  }

  /**
   * A step from t proposed to end at tNext, shortened to the first mark strictly after t.
   * @param t - start of the step
   * @param proposal - the inner proposal
   * @param direction - +1 forward, -1 backward
   */
  clip(t: number, proposal: StepProposal, direction: 1 | -1): StepProposal & { clipped: boolean } {
    const { tNext } = proposal;
    for (const m of direction > 0 ? this.marks : [...this.marks].reverse()) {
      const ahead = (m.t - t) * direction > 0;
      if (ahead && (tNext - m.t) * direction >= 0) {
        return m.t === tNext
          ? { tNext, madeJump: m.jump || proposal.madeJump, clipped: false }
          : { tNext: m.t, madeJump: m.jump, clipped: true };
      }
      if (ahead) break;
    }
    return { ...proposal, clipped: false };
  }
}

/** Options of {@link ClipStepSizeController}. */
export interface ClipOptions {
  /** Times steps must land on (e.g. observation times). */
  readonly stepTs?: readonly number[];
  /** Times where the vector field is discontinuous: steps land on them and FSAL is reset. */
  readonly jumpTs?: readonly number[];
}

/** Per-solve state of {@link ClipStepSizeController}. */
export interface ClipState<S> {
  /** The inner controller's state. */
  readonly inner: S;
  /** The inner controller's own proposal, before clipping. */
  readonly proposal: StepProposal;
  /** +1 forward, −1 backward. */
  readonly direction: 1 | -1;
}

/**
 * Wraps any controller so its steps land on `stepTs` and `jumpTs`. An adaptive inner controller
 * sees every step, clipped or not; a non-adaptive one (constant steps, `StepTo`) keeps its grid: a
 * step clipped short of its grid point does not use that point up.
 *
 * @example
 * ```ts
 * new ClipStepSizeController(new PIDController({ rtol: 1e-6, atol: 1e-8 }), { jumpTs: [0.5] });
 * new ClipStepSizeController(new ConstantStepSize(), { stepTs: [0.125] });
 * ```
 */
export class ClipStepSizeController<S = unknown> implements StepSizeController<ClipState<S>> {
  /** Identifier: `'clip(<inner>)'`. */
  readonly name: string;
  /** As the inner controller. */
  readonly adaptive: boolean;
  private readonly marks: StepMarks;

  /**
   * @param inner - the controller that chooses step sizes
   * @param options - the times steps must land on
   */
  constructor(
    /** The controller that chooses step sizes. */
    readonly inner: StepSizeController<S>,
    options: ClipOptions,
  ) {
    this.name = `clip(${inner.name})`;
    this.adaptive = inner.adaptive;
    this.marks = new StepMarks(options.stepTs, options.jumpTs);
  }

  private wrap(t: number, proposal: StepProposal, inner: S, direction: 1 | -1): StepProposal & { state: ClipState<S> } {
    const clipped = this.marks.clip(t, proposal, direction);
    return { tNext: clipped.tNext, madeJump: clipped.madeJump, state: { inner, proposal, direction } };
  }

  init(ctx: ControllerInit): StepProposal & { state: ClipState<S> } {
    const p = this.inner.init(ctx);
    return this.wrap(ctx.t0, p, p.state, ctx.direction);
  }

  resume(ctx: ControllerInit, state: ClipState<S>): StepProposal & { state: ClipState<S> } {
    const p = this.inner.resume ? this.inner.resume(ctx, state.inner) : this.inner.init(ctx);
    return this.wrap(ctx.t0, p, p.state, ctx.direction);
  }

  adapt(t0: number, t1: number, errorRatio: number | undefined, s: ClipState<S>, info?: StepInfo): StepDecision<ClipState<S>> {
    // A non-adaptive controller's grid point beyond a clipped step stays the next target.
    if (!this.inner.adaptive && t1 !== s.proposal.tNext) {
      return { accept: true, status: 'ok', ...this.wrap(t1, s.proposal, s.inner, s.direction) };
    }
    const d = this.inner.adapt(t0, t1, errorRatio, s.inner, info);
    return { accept: d.accept, status: d.status, ...this.wrap(d.accept ? t1 : t0, d, d.state, s.direction) };
  }

  plannedSteps(ctx: ControllerInit): number | undefined {
    return this.marks.empty ? this.inner.plannedSteps?.(ctx) : undefined;
  }
}

/**
 * {@link ClipStepSizeController} around an adaptive controller: still adaptive, with the inner
 * controller's tolerances, norm and first step.
 *
 * @example
 * ```ts
 * const c = new AdaptiveClipStepSizeController(new PIDController({ rtol: 1e-6 }), { stepTs: [0.5] });
 * c.rtol; // 1e-6
 * ```
 */
export class AdaptiveClipStepSizeController<S = unknown>
  extends ClipStepSizeController<S>
  implements AdaptiveStepSizeController<ClipState<S>>
{
  override readonly adaptive = true;
  /** The inner controller's relative tolerance. */
  readonly rtol: Tolerance;
  /** The inner controller's absolute tolerance. */
  readonly atol: Tolerance;
  /** The inner controller's error norm. */
  readonly norm: ErrorNorm;
  /** The inner controller's first-step choice, when it has one. */
  readonly initialStep?: (problem: InitialStepProblem) => Reads<InitialStep>;
  private readonly adaptiveInner: AdaptiveStepSizeController<S>;

  /**
   * @param inner - an adaptive controller
   * @param options - the times steps must land on
   */
  constructor(inner: AdaptiveStepSizeController<S>, options: ClipOptions) {
    super(inner, options);
    this.adaptiveInner = inner;
    this.rtol = inner.rtol;
    this.atol = inner.atol;
    this.norm = inner.norm;
    if (inner.initialStep)
      this.initialStep = (problem) => (inner.initialStep as NonNullable<typeof inner.initialStep>).call(inner, problem);
  }

  errorRatio(yError: Tree, y0: Tree, y1: Tree): tf.Scalar {
    return this.adaptiveInner.errorRatio(yError, y0, y1);
  }
}

/**
 * Steps that land on `stepTs`/`jumpTs`, around any controller: the adaptive wrapper for an adaptive
 * controller, the plain one otherwise.
 *
 * @param inner - the controller that chooses step sizes
 * @param options - the times steps must land on
 * @example
 * ```ts
 * stepSizeController: clipSteps(new PIDController({ rtol: 1e-6 }), { jumpTs: path.jumpTs })
 * ```
 */
export function clipSteps<S>(inner: StepSizeController<S>, options: ClipOptions): StepSizeController<ClipState<S>> {
  return isAdaptiveController(inner)
    ? new AdaptiveClipStepSizeController(inner as AdaptiveStepSizeController<S>, options)
    : new ClipStepSizeController(inner, options);
}
