/**
 * Reversible Heun (Kidger, Foster, Li, Lyons 2021, "Efficient and accurate gradients for neural
 * SDEs"): a Stratonovich solver that is algebraically reversible, so an adjoint can recover the
 * forward states from the final one instead of storing them. With state (y, ŷ, f(ŷ), g(ŷ)):
 *
 *   ŷ1 = 2 y0 − ŷ0 + f(t0, ŷ0) h + g(t0, ŷ0) ⋅ ΔW
 *   y1 = y0 + ½ (f(t0, ŷ0) + f(t1, ŷ1)) h + ½ (g(t0, ŷ0) + g(t1, ŷ1)) ⋅ ΔW
 *
 * and the inverse ({@link reversibleHeunBackward}) given (y1, ŷ1, f(ŷ1), g(ŷ1)) and the same ΔW:
 *
 *   ŷ0 = 2 y1 − ŷ1 − f(t1, ŷ1) h − g(t1, ŷ1) ⋅ ΔW
 *   y0 = y1 − ½ (f(t0, ŷ0) + f(t1, ŷ1)) h − ½ (g(t0, ŷ0) + g(t1, ŷ1)) ⋅ ΔW
 *
 * One drift and one diffusion evaluation per step. Strong order 0.5 in general, 1 for additive
 * noise (and, empirically, for scalar commutative noise such as GBM — see the tests).
 * Embedded error: ½ (vf1 − vf0) ⋅ (h, ΔW), as diffrax.
 */
import * as tf from '@tensorflow/tfjs';
import { tidyTree, type Tree } from '@nde/core';
import type { StepResult } from '../solver.js';
import { SdeSolver, increment, linearDense, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/** State carried between reversible Heun steps (every tensor owned by the state). */
export interface ReversibleHeunState {
  /** The auxiliary state ŷ. */
  readonly yHat: tf.Tensor;
  /** Drift at (t, ŷ). */
  readonly f: tf.Tensor;
  /** Diffusion at (t, ŷ). */
  readonly g: tf.Tensor;
}

/**
 * Reversible Heun for Stratonovich SDEs, adaptive-capable.
 *
 * @example
 * ```ts
 * const solver = new ReversibleHeun();
 * const sol = solve({ terms: stratTerm, solver, t0: 0, t1: 1, y0, dt0: 0.01 });
 * ```
 */
export class ReversibleHeun extends SdeSolver<ReversibleHeunState> {
  readonly name = 'reversible_heun';
  /** A step reads ŷ, f and g carried from the previous step, not y alone: replays from stored y differ. */
  readonly multistep = true;
  readonly order = 1;
  readonly errorOrder = 0.5;
  /** Stratonovich SDEs with any noise type. */
  readonly support: SdeSupport = {
    sdeTypes: ['stratonovich'],
    noises: ['diagonal', 'scalar', 'additive', 'general'],
    otherwise: 'reversible_heun',
  };

  /** ŷ0 = y0, with f and g evaluated there. Caller owns the state (the loop disposes it). */
  override init(terms: SDETerm, t0: number, y0: Tree, args: unknown): ReversibleHeunState {
    const y = terms.checkState(y0);
    return tidyTree(() => ({ yHat: y.clone(), f: terms.f(t0, y, args), g: terms.g(t0, y, args) }));
  }

  override disposeState(state: ReversibleHeunState | undefined): void {
    if (!state) return;
    state.yHat.dispose();
    state.f.dispose();
    state.g.dispose();
  }

  step(
    terms: SDETerm,
    t0: number,
    t1: number,
    y0: Tree,
    args: unknown,
    state: ReversibleHeunState,
    opts: { madeJump: boolean; needsDense: boolean },
  ): StepResult<ReversibleHeunState> {
    const y = y0 as tf.Tensor;
    const h = t1 - t0;
    const { W } = increment(terms, t0, t1, false);
    // After a jump the stored vector field is stale: re-evaluate it at ŷ0.
    const f0 = opts.madeJump ? terms.f(t0, state.yHat, args) : state.f;
    const g0 = opts.madeJump ? terms.g(t0, state.yHat, args) : state.g;
    const vf0 = tf.add(tf.mul(f0, h), terms.prod(g0, W));
    const yHat1 = tf.add(tf.sub(tf.mul(y, 2), state.yHat), vf0);
    const f1 = terms.f(t1, yHat1, args);
    const g1 = terms.g(t1, yHat1, args);
    const vf1 = tf.add(tf.mul(f1, h), terms.prod(g1, W));
    const y1 = tf.add(y, tf.mul(tf.add(vf0, vf1), 0.5));
    const yError = tf.mul(tf.sub(vf1, vf0), 0.5);
    return {
      y1,
      yError,
      ...(opts.needsDense ? { interp: linearDense(y, y1) } : {}),
      state: { yHat: yHat1, f: f1, g: g1 },
      nfe: opts.madeJump ? 2 : 1,
    };
  }
}

/**
 * Undo one reversible Heun step: from (t1, y1, state1) and the same Brownian increment as the
 * forward step (queried here from `terms.bm` over [t0, t1]) recover (y0, state0). Exact in exact
 * arithmetic; in float32 the reconstruction differs from the forward values by rounding only.
 * Every returned tensor is new and owned by the caller; inputs are not disposed.
 *
 * @param terms - the SDE the forward step solved
 * @param t0 - the step's start time
 * @param t1 - the step's end time
 * @param y1 - the state at t1
 * @param state1 - the solver state after the forward step
 * @param args - passed to drift and diffusion
 * @param dW - the step's Brownian increment (default: queried from terms.bm over [t0, t1])
 * @example
 * ```ts
 * const s = new ReversibleHeun();
 * const st0 = s.init(terms, 0, y0, args);
 * const fwd = s.step(terms, 0, 0.1, y0, args, st0, { madeJump: false, needsDense: false });
 * const back = reversibleHeunBackward(terms, 0, 0.1, fwd.y1 as tf.Tensor, fwd.state, args);
 * // back.y0 ≈ y0, back.state.yHat ≈ st0.yHat
 * ```
 */
export function reversibleHeunBackward(
  terms: SDETerm,
  t0: number,
  t1: number,
  y1: tf.Tensor,
  state1: ReversibleHeunState,
  args?: unknown,
  dW?: tf.Tensor,
): { y0: tf.Tensor; state: ReversibleHeunState } {
  return tidyTree(() => {
    const h = t1 - t0;
    const W = dW ?? terms.bm.evaluate(t0, t1);
    const vf1 = tf.add(tf.mul(state1.f, h), terms.prod(state1.g, W));
    const yHat0 = tf.sub(tf.sub(tf.mul(y1, 2), state1.yHat), vf1);
    const f0 = terms.f(t0, yHat0, args);
    const g0 = terms.g(t0, yHat0, args);
    const vf0 = tf.add(tf.mul(f0, h), terms.prod(g0, W));
    const y0 = tf.sub(y1, tf.mul(tf.add(vf0, vf1), 0.5));
    return { y0, state: { yHat: yHat0, f: f0, g: g0 } };
  });
}
