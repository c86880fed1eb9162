/** torchsde-style shortcut over `solve` for SDEs. */
import * as tf from '@tensorflow/tfjs';
import { BrownianInterval, BrownianPath } from '@nde/brownian';
import { InvalidArgumentError, assertPositive } from '@nde/core';
import { ConstantStepSize } from '../controllers/constant.js';
import { clipSteps } from '../controllers/clip.js';
import { PIDController } from '../controllers/pid.js';
import type { ErrorNorm, Tolerance } from '../error-norm.js';
import { resolveSolver, type MethodName } from '../methods.js';
import type { Solver } from '../solver.js';
import { solve, solveAsync, type AdjointMethod, type SolveOptions } from '../solve.js';
import type { BrownianMotion } from './brownian-motion.js';
import { SDETerm, type NoiseType, type SdeDriftAndDiffusion, type SdeFunction, type SdeType } from './terms.js';
import { readTimes, readTimesSync, type Times } from '../times.js';

/** An SDE in torchsde's shape: drift `f`, diffusion `g`, noise type and calculus. */
export interface SDE<A = unknown> {
  /** Drift `f(t, y, args)`, shaped like `y`. */
  f: SdeFunction<A>;
  /** Diffusion `g(t, y, args)`, shaped per `noiseType` (like `y` for diagonal noise, `[..., d, m]` otherwise). */
  g: SdeFunction<A>;
  /** Default 'diagonal'. */
  noiseType?: NoiseType;
  /** Default 'ito'. */
  sdeType?: SdeType;
  /** Optional `[f, g]` at one point in one call (torchsde's `f_and_g`), used by methods that need both there (Euler). */
  fg?: SdeDriftAndDiffusion<A>;
}

/** Options of {@link sdeint}. */
export interface SdeintOptions<A = unknown> {
  /** Method name or SDE solver (default 'euler' for Itô, 'heun' for Stratonovich). */
  method?: MethodName | Solver;
  /** Step size (> 0; the direction comes from ts). For adaptive solves, the first step. */
  dt: number;
  /**
   * The Brownian motion (owned by the caller). Default: one made for this solve, as torchsde does — a
   * `BrownianPath` for fixed steps forward in time (exact, O(1) per step), a `BrownianInterval` for adaptive
   * or backward solves (any query order) — seeded by `seed`, with the space-time Lévy area when the method
   * needs it. Its shape is the state's for diagonal noise, else `[...batch, m]` with m read off g(t0, y0).
   */
  bm?: BrownianMotion;
  /** Seed of the default Brownian motion (default 0); ignored when `bm` is given. */
  seed?: number;
  /** Adapt the step with a PIDController (methods with an error estimate: heun, midpoint, reversible_heun, sra1). */
  adaptive?: boolean;
  /** Relative tolerance for adaptive solves (default 1e-3). */
  rtol?: Tolerance;
  /** Absolute tolerance for adaptive solves (default 1e-3). */
  atol?: Tolerance;
  /** Smallest adaptive step (default 0). */
  dtMin?: number;
  /** Error norm for adaptive solves (default 'rms'). */
  norm?: ErrorNorm;
  /** Passed to f and g. */
  args?: A;
  /** Maximum number of steps (default 16384). */
  maxSteps?: number;
  /** Read back "is the state finite?" after every fixed step (default true; false avoids a sync per step). */
  checkFinite?: boolean;
  /** Gradient strategy (from @nde/adjoint). */
  adjoint?: AdjointMethod;
}

/** The Brownian motion sdeint makes when none is given (see {@link SdeintOptions.bm}). */
function defaultBrownian<A>(
  sde: SDE<A>,
  y0: tf.Tensor,
  t0: number,
  t1: number,
  noise: NoiseType,
  solver: Solver,
  adaptive: boolean,
  seed: number,
  args: A,
): BrownianMotion {
  if (!(y0 instanceof tf.Tensor)) throw new InvalidArgumentError('y0', 'must be a tensor [...batch, d].');
  let shape = [...y0.shape];
  if (noise !== 'diagonal') {
    // m = the last axis of g(t0, y0): [...batch, d, m].
    const g = tf.tidy(() => sde.g(t0, y0, args));
    shape = [...y0.shape.slice(0, -1), g.shape[g.rank - 1] as number];
    g.dispose();
  }
  const needsLevy = (solver as { support?: { spaceTimeLevy?: boolean } }).support?.spaceTimeLevy === true;
  const options = {
    t0: Math.min(t0, t1),
    t1: Math.max(t0, t1),
    shape,
    key: seed,
    ...(needsLevy ? { levyArea: 'space-time' as const } : {}),
  };
  return adaptive || t1 < t0 ? new BrownianInterval(options) : new BrownianPath(options);
}

function toSolveOptions<A>(sde: SDE<A>, y0: tf.Tensor, ts: readonly number[], o: SdeintOptions<A>): SolveOptions<tf.Tensor, A> {
  if (sde === null || typeof sde !== 'object') throw new InvalidArgumentError('sde', 'must be an object { f, g, noiseType, sdeType }.');
  for (const [name, other] of [
    ['f', 'drift'],
    ['g', 'diffusion'],
  ] as const) {
    if (typeof sde[name] !== 'function') {
      const hasOther = typeof (sde as unknown as Record<string, unknown>)[other] === 'function';
      throw new InvalidArgumentError(
        `sde.${name}`,
        `must be the ${other} function (t, y, args) => tensor (got ${typeof sde[name]}).`,
        hasOther
          ? `sdeint takes torchsde's shape { f, g }: rename '${other}' to '${name}', or build new SDETerm({ drift, diffusion, bm }) for solve().`
          : 'Pass { f: drift, g: diffusion, noiseType, sdeType }.',
      );
    }
  }
  if (o === undefined || o === null) throw new InvalidArgumentError('options', 'are required: { dt } (and optionally bm or seed).');
  assertPositive('dt', o.dt, 'The direction of integration comes from ts.');
  const t0 = ts[0] as number;
  const t1 = ts[ts.length - 1] as number;
  const direction = t1 >= t0 ? 1 : -1;
  const sdeType = sde.sdeType ?? 'ito';
  const solver = resolveSolver(o.method ?? (sdeType === 'ito' ? 'euler' : 'heun'), 'sde');
  const noise = sde.noiseType ?? 'diagonal';
  const bm = o.bm ?? defaultBrownian(sde, y0, t0, t1, noise, solver, !!o.adaptive, o.seed ?? 0, o.args as A);
  if (sde.fg !== undefined && typeof sde.fg !== 'function')
    throw new InvalidArgumentError('sde.fg', `must be a function (t, y, args) => [f, g] (got ${typeof sde.fg}).`);
  const term = new SDETerm<A>({ drift: sde.f, diffusion: sde.g, bm, noise, sdeType, ...(sde.fg ? { driftAndDiffusion: sde.fg } : {}) });
  const controller = o.adaptive
    ? clipSteps(
        new PIDController({
          rtol: o.rtol ?? 1e-3,
          atol: o.atol ?? 1e-3,
          ...(o.dtMin !== undefined ? { dtmin: o.dtMin } : {}),
          ...(o.norm ? { norm: o.norm } : {}),
        }),
        { stepTs: ts },
      )
    : new ConstantStepSize();
  return {
    terms: term,
    solver,
    t0,
    t1,
    y0,
    dt0: o.dt * direction,
    stepSizeController: controller,
    saveAt: { ts },
    ...(o.args !== undefined ? { args: o.args } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.checkFinite !== undefined ? { checkFinite: o.checkFinite } : {}),
    ...(o.adjoint ? { adjoint: o.adjoint } : {}),
  };
}

/**
 * Solve an SDE and return y at every time in `ts`, stacked as `[ts.length, ...y0.shape]` (owned by
 * the caller). Fixed steps of `dt` by default (t_i = t0 + i·dt; times in `ts` between steps are
 * linearly interpolated, as torchsde); `adaptive: true` uses a PIDController with `dt` as first step.
 *
 * @param sde - `{ f, g, noiseType, sdeType }`: drift, diffusion, noise structure (default diagonal), calculus (default Itô).
 * @param y0 - the initial state `[...batch, d]` (not taken over).
 * @param ts - the times to return, monotone from t0 to t1, as numbers or a 1-D tensor.
 * @param options - `dt` and the Brownian motion `bm` (required), `method`, `adaptive`, `rtol`/`atol`, `dtMin`, `norm`,
 *   `args`, `maxSteps`, `checkFinite`, `adjoint`.
 * @returns y at every time in `ts`, `[ts.length, ...y0.shape]`, owned by the caller.
 *
 * @example
 * ```ts
 * import { VirtualBrownianTree, key } from '@nde/brownian';
 * const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [1000, 1], key: key(0) });
 * const ys = sdeint({ f: (t, y) => tf.mul(y, 0.5), g: (t, y) => tf.mul(y, 0.3) },
 *                   tf.ones([1000, 1]), [0, 0.5, 1], { method: 'milstein', dt: 0.01, bm });
 * // or let sdeint make a seeded Brownian motion itself:
 * const ys2 = sdeint(sde, y0, [0, 1], { dt: 0.01, seed: 7 });
 * ```
 */
export function sdeint<A = unknown>(sde: SDE<A>, y0: tf.Tensor, ts: Times, options: SdeintOptions<A>): tf.Tensor {
  return solve(toSolveOptions(sde, y0, readTimesSync(ts), options)).ys as tf.Tensor;
}

/**
 * {@link sdeint} without synchronous reads (WebGPU/WebGL).
 *
 * @param sde - as for {@link sdeint}.
 * @param y0 - the initial state.
 * @param ts - the times to return.
 * @param options - as for {@link sdeint}.
 *
 * @example
 * ```ts
 * const ys = await sdeintAsync(sde, y0, [0, 1], { dt: 0.01, bm });
 * ```
 */
export async function sdeintAsync<A = unknown>(sde: SDE<A>, y0: tf.Tensor, ts: Times, options: SdeintOptions<A>): Promise<tf.Tensor> {
  return (await solveAsync(toSolveOptions(sde, y0, await readTimes(ts), options))).ys as tf.Tensor;
}
