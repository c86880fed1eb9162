/** torchdiffeq-style shortcut over {@link solve}. */
import { InvalidArgumentError, type Tree } from '@nde/core';
import { StepTo } from './controllers/constant.js';
import { PIDController } from './controllers/pid.js';
import type { ErrorNorm, Tolerance } from './error-norm.js';
import { resolveSolver, type MethodName } from './methods.js';
import { solve, solveAsync, type SolveOptions, type AdjointMethod } from './solve.js';
import { ODETerm, type VectorField } from './terms.js';
import { readTimes, readTimesSync, type Times } from './times.js';

/** Options of {@link odeint}. */
export interface OdeintOptions<A = unknown> {
  /** Method name (default 'dopri5'). */
  method?: MethodName;
  /** Relative tolerance for adaptive methods (default 1e-7, as torchdiffeq). */
  rtol?: Tolerance;
  /** Absolute tolerance for adaptive methods (default 1e-9). */
  atol?: Tolerance;
  /** Fixed step size (positive) for fixed-step methods; without it they step on the `ts` grid. */
  dt?: number;
  /** Error norm (default 'rms'). */
  norm?: ErrorNorm;
  /** Passed to the vector field. */
  args?: A;
  /** Maximum number of steps. */
  maxSteps?: number;
  /** Gradient strategy (from @nde/adjoint). */
  adjoint?: AdjointMethod;
}

function toSolveOptions<Y extends Tree, A>(f: VectorField<Y, A>, y0: Y, ts: readonly number[], o: OdeintOptions<A>): SolveOptions<Y, A> {
  if (o === null || typeof o !== 'object')
    throw new InvalidArgumentError('options', `must be an object (got ${o === null ? 'null' : typeof o}).`);
  const t0 = ts[0] as number;
  const t1 = ts[ts.length - 1] as number;
  const direction = t1 >= t0 ? 1 : -1;
  const solver = resolveSolver(o.method ?? 'dopri5', 'ode');
  const adaptive = solver.errorOrder !== undefined && o.dt === undefined;
  if (o.dt !== undefined && !(o.dt > 0)) {
    throw new InvalidArgumentError('dt', `must be > 0 (got ${o.dt}); the direction comes from ts.`);
  }
  return {
    terms: new ODETerm(f),
    solver,
    t0,
    t1,
    y0,
    ...(o.args !== undefined ? { args: o.args } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.adjoint ? { adjoint: o.adjoint } : {}),
    ...(adaptive
      ? { stepSizeController: new PIDController({ rtol: o.rtol ?? 1e-7, atol: o.atol ?? 1e-9, ...(o.norm ? { norm: o.norm } : {}) }) }
      : o.dt !== undefined
        ? { dt0: o.dt * direction }
        : // Repeated save times are one step end.
          { stepSizeController: new StepTo(ts.filter((t, i) => i === 0 || t !== ts[i - 1])) }),
    saveAt: { ts },
  };
}

/**
 * Solve dy/dt = f(t, y) and return y at every time in `ts`, each leaf stacked as `[ts.length, ...]`.
 * The returned tensors belong to the caller. `ts` is strictly monotone (either direction) and may be a
 * 1-D tensor; a single time returns y0 stacked as `[1, ...]` (as torchdiffeq).
 *
 * @param f - the vector field `(t, y, args) => dy/dt`, returning a tree shaped like `y`.
 * @param y0 - the initial state (a tensor or a tree of tensors; not taken over).
 * @param ts - the times to return, monotone from t0 to t1 (either direction), as numbers or a 1-D tensor.
 * @param options - `method` (default `'dopri5'`), `rtol`/`atol` (default 1e-7/1e-9), `dt` for fixed steps, `norm`,
 *   `args`, `maxSteps`, `adjoint`.
 * @returns y at every time in `ts`, each leaf `[ts.length, ...leafShape]`, owned by the caller.
 *
 * @example
 * ```ts
 * const ys = odeint((t, y) => tf.neg(y), tf.ones([3]), [0, 0.5, 1], { method: 'tsit5', rtol: 1e-6 });
 * ```
 */
export function odeint<Y extends Tree, A = unknown>(f: VectorField<Y, A>, y0: Y, ts: Times, options: OdeintOptions<A> = {}): Y {
  return solve(toSolveOptions(f, y0, readTimesSync(ts), options)).ys as Y;
}

/**
 * {@link odeint} without synchronous reads (WebGPU/WebGL).
 *
 * @param f - the vector field, as for {@link odeint}.
 * @param y0 - the initial state.
 * @param ts - the times to return.
 * @param options - as for {@link odeint}.
 * @example
 * ```ts
 * const ys = await odeintAsync((t, y) => tf.neg(y), tf.ones([3]), [0, 1]);
 * ```
 */
export async function odeintAsync<Y extends Tree, A = unknown>(
  f: VectorField<Y, A>,
  y0: Y,
  ts: Times,
  options: OdeintOptions<A> = {},
): Promise<Y> {
  return (await solveAsync(toSolveOptions(f, y0, await readTimes(ts), options))).ys as Y;
}
