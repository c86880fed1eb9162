/**
 * What every SDE solver shares: which calculus and noise types it accepts (checked with typed
 * errors that name the fix), the linear dense output of a step, and a base class with the
 * stateless parts of the `Solver` interface.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnsupportedError, type Tree } from '@nde/core';
import { linearWeights, type InterpolationData } from '../interpolation.js';
import type { Solver, StepResult } from '../solver.js';
import { isSdeTerm, type NoiseType, type SDETerm, type SdeType } from './terms.js';

/** What an SDE solver supports. */
export interface SdeSupport {
  /** Calculi it converges to (additive noise is accepted by all: both calculi agree there). */
  readonly sdeTypes: readonly SdeType[];
  /** Noise structures it handles. */
  readonly noises: readonly NoiseType[];
  /** Needs the space-time Lévy area from the Brownian motion. */
  readonly spaceTimeLevy?: boolean;
  /** Which methods to suggest when the noise type is not supported. */
  readonly otherwise: string;
}

/**
 * Throw a typed error unless `terms` is an SDE term this solver can solve.
 *
 * @param name - the solver's name, for the error
 * @param terms - the terms given to the solve
 * @param s - what the solver supports
 * @example
 * ```ts
 * assertSdeSupport('heun', terms, { sdeTypes: ['stratonovich'], noises: ['diagonal'], otherwise: 'euler' });
 * ```
 */
export function assertSdeSupport(name: string, terms: unknown, s: SdeSupport): asserts terms is SDETerm {
  if (!isSdeTerm(terms)) {
    throw new InvalidArgumentError(
      'terms',
      `'${name}' (SDE) needs an SDETerm.`,
      'Build one with new SDETerm({ drift, diffusion, bm, noise, sdeType }), or use sdeint(). For ODEs pass an ODETerm.',
    );
  }
  if (!s.noises.includes(terms.noise)) {
    throw new UnsupportedError(
      'terms.noise',
      `'${name}' does not support '${terms.noise}' noise (it supports ${s.noises.join(', ')}).`,
      `Use ${s.otherwise}.`,
    );
  }
  if (terms.noise !== 'additive' && !s.sdeTypes.includes(terms.sdeType)) {
    const other = terms.sdeType === 'ito' ? 'stratonovich' : 'ito';
    const convert = terms.sdeType === 'ito' ? 'term.toStratonovich()' : 'term.toIto()';
    const methods = terms.sdeType === 'ito' ? "'euler', 'milstein' or 'srk'" : "'heun', 'midpoint', 'reversible_heun' or 'milstein'";
    throw new UnsupportedError(
      'terms.sdeType',
      `'${name}' solves ${s.sdeTypes.join('/')} SDEs, but this SDE is ${terms.sdeType}.`,
      `Use ${methods} for ${terms.sdeType} SDEs, or convert with ${convert} (diagonal/additive noise) to solve its ${other} form.`,
    );
  }
  if (s.spaceTimeLevy && terms.bm.levyArea === 'none') {
    throw new UnsupportedError(
      'terms.bm',
      `'${name}' needs the space-time Lévy area, but the Brownian motion was made with levyArea 'none'.`,
      "Create it with levyArea: 'space-time'.",
    );
  }
}

/** Linear dense output over a step (the SDE solution is only continuous, not smooth). @internal */
export function linearDense(y0: tf.Tensor, y1: tf.Tensor): InterpolationData {
  return { vectors: [tf.sub(y1, y0)], weights: linearWeights() };
}

/**
 * Base of the stateless SDE solvers: `validate` from a {@link SdeSupport}, state checks in `init`.
 *
 * @example
 * ```ts
 * class MySolver extends SdeSolver { ... step(...) { ... } }
 * ```
 */
export abstract class SdeSolver<S = undefined> implements Solver<SDETerm, S> {
  abstract readonly name: string;
  abstract readonly order: number;
  abstract readonly errorOrder: number | undefined;
  /** Calculi and noise types the method accepts, checked by `validate` with errors that suggest an alternative. */
  abstract readonly support: SdeSupport;
  readonly termKind = 'sde' as const;

  validate(terms: SDETerm): void {
    assertSdeSupport(this.name, terms, this.support);
  }

  init(terms: SDETerm, _t0: number, y0: Tree, _args: unknown): S {
    terms.checkState(y0);
    return undefined as S;
  }

  disposeState(_state: S): void {}

  abstract step(
    terms: SDETerm,
    t0: number,
    t1: number,
    y0: Tree,
    args: unknown,
    state: S,
    opts: { madeJump: boolean; needsDense: boolean },
  ): StepResult<S>;
}

/** What one step of a stateless SDE method computes: the new state, an optional error estimate, and its cost. */
export interface SdeIncrement {
  /** State at t1. */
  readonly y1: tf.Tensor;
  /** Local error estimate (an embedded lower-order step's difference), for adaptive stepping. */
  readonly yError?: tf.Tensor;
  /** Drift/diffusion evaluations this step made. */
  readonly nfe: number;
}

/**
 * An SDE method that carries no state between steps (every method but reversible Heun): subclasses
 * implement {@link StatelessSdeSolver.advance} on one tensor; this class adds the linear dense output
 * and the `StepResult` plumbing.
 */
export abstract class StatelessSdeSolver extends SdeSolver {
  /** One step from (t0, y0) to t1. Runs inside the solver's tidy scope. */
  protected abstract advance(terms: SDETerm, t0: number, t1: number, y0: tf.Tensor, args: unknown): SdeIncrement;

  step(
    terms: SDETerm,
    t0: number,
    t1: number,
    y0: Tree,
    args: unknown,
    _state: undefined,
    opts: { needsDense: boolean },
  ): StepResult<undefined> {
    const y = y0 as tf.Tensor;
    const { y1, yError, nfe } = this.advance(terms, t0, t1, y, args);
    return { y1, ...(yError ? { yError } : {}), ...(opts.needsDense ? { interp: linearDense(y, y1) } : {}), state: undefined, nfe };
  }
}

/** The Euler increment f(t, y) h + g(t, y) ⋅ ΔW (the stage every Stratonovich Runge–Kutta step builds on). @internal */
export function eulerIncrement(terms: SDETerm, t: number, y: tf.Tensor, args: unknown, h: number, W: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(terms.f(t, y, args), h), terms.gProd(t, y, args, W));
}

/** The Brownian increment W(t1) − W(t0), plus the space-time Lévy area H when asked. @internal */
export function increment(terms: SDETerm, t0: number, t1: number, levy: boolean): { W: tf.Tensor; H?: tf.Tensor } {
  if (!levy) return { W: terms.bm.evaluate(t0, t1) };
  // Lévy area is queried forward in time. A backward step has the negated increment and the same
  // H = (1/h) ∫ (W_{s,r} − (r−s)/h · W) dr: the bridge under the integral is the same path either way.
  const backward = t1 < t0;
  const inc = backward ? terms.bm.evaluateLevy(t1, t0, 'space-time') : terms.bm.evaluateLevy(t0, t1, 'space-time');
  if (!inc.H) {
    inc.W.dispose();
    throw new UnsupportedError('terms.bm', 'returned no space-time Lévy area.', "Create the Brownian motion with levyArea: 'space-time'.");
  }
  if (!backward) return { W: inc.W, H: inc.H };
  const W = tf.neg(inc.W);
  inc.W.dispose();
  return { W, H: inc.H };
}
