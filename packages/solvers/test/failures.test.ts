/** Every failure mode gives a status (throwOnFailure: false) or a typed error naming the argument. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { DTypeError, InvalidArgumentError, ShapeError, UnknownMethodError, UnsupportedError } from '@nde/core';
import { ConstantStepSize, ODETerm, PIDController, SolveFailedError, odeint, solve } from '@nde/solvers';

const decay = new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y));
/** y' = y², y(0) = 1: blows up at t = 1. */
const blowUp = new ODETerm((_t: number, y: tf.Tensor) => tf.square(y));

describeBackends('solve failure modes', () => {
  it('maxSteps reached: status with the partial solution, or SolveFailedError', async () => {
    const y0 = tf.ones([2]);
    await expectNoLeaks(() => {
      const sol = solve({
        terms: decay,
        solver: 'rk4',
        t0: 0,
        t1: 1,
        y0,
        dt0: 0.01,
        maxSteps: 10,
        throwOnFailure: false,
        saveAt: { steps: true },
      });
      expect(sol.status).toBe('maxStepsReached');
      expect(sol.ts.length).toBe(10);
      expect(sol.tFinal).toBeCloseTo(0.1, 12);
      expect(sol.message).toMatch(/maxSteps=10/);
      sol.dispose();
    });
    const err = (() => {
      try {
        solve({ terms: decay, solver: 'rk4', t0: 0, t1: 1, y0, dt0: 0.01, maxSteps: 10 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SolveFailedError);
    expect((err as SolveFailedError).status).toBe('maxStepsReached');
    expect((err as SolveFailedError).argument).toBe('maxSteps');
    y0.dispose();
  });

  it('step-size underflow near a finite-time blow-up is dtUnderflow, reporting t', () => {
    const y0 = tf.ones([1]);
    const sol = solve({
      terms: blowUp,
      solver: 'dopri5',
      t0: 0,
      t1: 2,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-6, dtmin: 1e-6 }),
      throwOnFailure: false,
      maxSteps: 100000,
    });
    expect(sol.status).toBe('dtUnderflow');
    expect(sol.tFinal).toBeGreaterThan(0.99);
    expect(sol.tFinal).toBeLessThan(1);
    sol.dispose();
    y0.dispose();
  });

  it('NaN in the state: fixed steps fail with nonFinite at the step where it happened', () => {
    const y0 = tf.ones([1]);
    // y' = log(y - 0.5·t·…): becomes NaN once y < 0; with y' = -3 the state is negative after t = 1/3.
    const term = new ODETerm((t: number, y: tf.Tensor) => (t > 0.5 ? tf.sqrt(tf.sub(y, 10)) : tf.neg(y)));
    const sol = solve({ terms: term, solver: 'euler', t0: 0, t1: 1, y0, dt0: 0.1, throwOnFailure: false });
    expect(sol.status).toBe('nonFinite');
    expect(sol.message).toMatch(/from t=0\.6/);
    expect(() => solve({ terms: term, solver: 'euler', t0: 0, t1: 1, y0, dt0: 0.1 })).toThrow(SolveFailedError);
    sol.dispose();
    y0.dispose();
  });

  it('a NaN error estimate rejects and shrinks the step; persisting NaN fails with nonFinite', () => {
    const y0 = tf.ones([1]);
    // NaN only for t > 0.3 (the region persists, so shrinking cannot help).
    const term = new ODETerm((t: number, y: tf.Tensor) => (t > 0.3 ? tf.mul(y, NaN) : tf.neg(y)));
    const sol = solve({ terms: term, solver: 'dopri5', t0: 0, t1: 1, y0, throwOnFailure: false });
    expect(sol.status).toBe('nonFinite');
    expect(sol.stats.rejected).toBeGreaterThan(5);
    expect(sol.tFinal).toBeLessThanOrEqual(0.3);
    // A transient NaN (a single bad point) is stepped around: shrink, then succeed.
    let calls = 0;
    const flaky = new ODETerm((_t: number, y: tf.Tensor) => (++calls === 9 ? tf.mul(y, NaN) : tf.neg(y)));
    const ok = solve({ terms: flaky, solver: 'dopri5', t0: 0, t1: 1, y0 });
    expect(ok.status).toBe('success');
    expect(ok.stats.rejected).toBeGreaterThanOrEqual(1);
    expect((ok.ys as tf.Tensor).dataSync()[0]).toBeCloseTo(Math.exp(-1), 3);
    sol.dispose();
    ok.dispose();
    y0.dispose();
  });

  it('bad input: typed errors naming the argument and the fix', () => {
    const y0 = tf.ones([2]);
    const base = { terms: decay, solver: 'rk4', t0: 0, t1: 1, y0, dt0: 0.1 } as const;
    const cases: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [
        () => solve({ ...base, dt0: -0.1 }),
        InvalidArgumentError,
        /`dt0`: must be > 0 for a forward solve \(got -0.1\)\. Use t1 < t0 to integrate backwards/,
      ],
      [() => solve({ ...base, dt0: 0 }), InvalidArgumentError, /`dt0`/],
      [() => solve({ ...base, dt0: undefined }), InvalidArgumentError, /`dt0`: is required/],
      [() => solve({ ...base, t1: NaN }), InvalidArgumentError, /`t1`: must be a finite number/],
      [() => solve({ ...base, solver: 'rk5' }), UnknownMethodError, /unknown method 'rk5'.*dopri5/],
      [() => solve({ ...base, y0: tf.tensor1d([1, NaN]) }), InvalidArgumentError, /`y0`: contains NaN/],
      [() => solve({ ...base, y0: tf.tensor1d([1, 2], 'int32') }), DTypeError, /`y0`.*float32/],
      [() => solve({ ...base, saveAt: { ts: [0, 0.6, 0.5] } }), InvalidArgumentError, /`saveAt.ts`: is not monotone increasing/],
      [() => solve({ ...base, saveAt: { ts: [0.5, 1.5] } }), InvalidArgumentError, /`saveAt.ts`: entry 1 \(1.5\) is outside \[0, 1\]/],
      [() => solve({ ...base, maxSteps: 0 }), InvalidArgumentError, /`maxSteps`/],
      [() => solve({ ...base, stepSizeController: new PIDController() }), UnsupportedError, /no error estimate/],
      [() => solve({ ...base, terms: (() => 1) as never }), InvalidArgumentError, /`terms`: rk4 solves ODEs and needs an ODETerm/],
      [() => new PIDController({ rtol: -1 }), InvalidArgumentError, /`rtol`/],
      [() => odeint((_t, y: tf.Tensor) => y, y0, []), InvalidArgumentError, /`ts`: is empty/],
      [
        () => solve({ ...base, terms: new ODETerm((_t: number, y: tf.Tensor) => tf.concat([y, y])) }),
        ShapeError,
        /`terms.vf`: returned shape \[4\]/,
      ],
    ];
    for (const [fn, cls, msg] of cases) {
      expect(fn).toThrow(cls);
      expect(fn).toThrow(msg);
    }
    y0.dispose();
  });

  it('a vector field returning the wrong shape is a ShapeError from the tree helpers', () => {
    const y0 = { a: tf.ones([2]) };
    const wrong = new ODETerm((_t: number, y: { a: tf.Tensor }) => ({ b: y.a }) as never);
    expect(() => solve({ terms: wrong, solver: 'rk4', t0: 0, t1: 1, y0, dt0: 0.5, stepSizeController: new ConstantStepSize() })).toThrow(
      ShapeError,
    );
    y0.a.dispose();
  });
});
