/**
 * Issue #15: the crashes and misleading errors a new user met in the first hour, each reproduced as it
 * was reported (they failed before the fix) and checked for leaks on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, thrownError } from '@nde/test-utils';
import { InvalidArgumentError, NdeError, ShapeError, UnsupportedError, type Tree } from '@nde/core';
import { VirtualBrownianTree, key } from '@nde/brownian';
import {
  ConstantStepSize,
  ODETerm,
  PIDController,
  SDETerm,
  SolveFailedError,
  odeint,
  sdeint,
  solve,
  type SolveOptions,
} from '@nde/solvers';

type Osc = { x: tf.Tensor; v: tf.Tensor };
const read = (x: Tree): number[] => Array.from((x as tf.Tensor).dataSync());
const identity = (_t: number, y: tf.Tensor): tf.Tensor => y;

const thrown = (fn: () => unknown): Error => thrownError(fn);

/** `fn` throws an NdeError of class `cls` whose message matches `msg`, and leaks no tensor on the way. */
async function expectNamedError(
  fn: () => unknown,
  cls: abstract new (...a: never[]) => NdeError,
  argument: string,
  msg: RegExp,
): Promise<void> {
  await expectNoLeaks(() => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(cls);
    expect((e as NdeError).argument).toBe(argument);
    expect(e.message).toMatch(msg);
  });
}

describeBackends('#15 crashes: a vector field that returns its input', () => {
  for (const method of ['dopri5', 'tsit5', 'dopri8', 'bosh3', 'rk4'] as const) {
    it(`${method}: odeint((t, y) => y, ones, [0, 0.5, 1]) is e^t and leaks nothing`, async () => {
      const y0 = tf.ones([2]);
      await expectNoLeaks(() => {
        const ys = odeint(identity, y0, [0, 0.5, 1], { method, rtol: 1e-6, atol: 1e-8, ...(method === 'rk4' ? { dt: 0.01 } : {}) });
        const v = read(ys);
        [1, Math.exp(0.5), Math.exp(1)].forEach((want, i) => expect(v[2 * i] as number).toBeCloseTo(want, 4));
        ys.dispose();
      });
      y0.dispose();
    });

    it(`${method}: a tree field returning one leaf of its input unchanged (dense output and interior saves)`, async () => {
      const y0: Osc = { x: tf.ones([3]), v: tf.zeros([3]) };
      const term = new ODETerm((_t: number, y: Osc) => ({ x: y.v, v: tf.neg(y.x) }));
      await expectNoLeaks(() => {
        const sol = solve({
          terms: term,
          solver: method,
          t0: 0,
          t1: 2,
          y0,
          saveAt: { ts: [0.5, 1, 2], dense: true },
          ...(method === 'rk4' ? { dt0: 0.01 } : { stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8 }) }),
        });
        const ys = sol.ys as Osc;
        [0.5, 1, 2].forEach((t, i) => {
          expect(read(ys.x)[3 * i] as number).toBeCloseTo(Math.cos(t), 3);
          expect(read(ys.v)[3 * i] as number).toBeCloseTo(-Math.sin(t), 3);
        });
        const mid = sol.dense!.evaluate(1.5) as Osc;
        expect(read(mid.x)[0] as number).toBeCloseTo(Math.cos(1.5), 3);
        tf.dispose([mid.x, mid.v]);
        sol.dispose();
      });
      tf.dispose([y0.x, y0.v]);
    });
  }

  it('a field returning a captured constant does not dispose it', async () => {
    const c = tf.fill([2], 2);
    const y0 = tf.zeros([2]);
    await expectNoLeaks(() => {
      const sol = solve({ terms: new ODETerm(() => c), solver: 'dopri5', t0: 0, t1: 1, y0, saveAt: { ts: [0.25, 1], dense: true } });
      expect(read(sol.ys as tf.Tensor)).toEqual([0.5, 0.5, 2, 2].map((v) => expect.closeTo(v, 5)));
      sol.dispose();
    });
    expect(c.isDisposed).toBe(false);
    expect(read(c)).toEqual([2, 2]);
    tf.dispose([c, y0]);
  });
});

describeBackends('#15 crashes: t0 == t1 and a single time', () => {
  it('solve with t0 == t1 returns y0 for every saved time, for every kind of solver', async () => {
    const y0 = tf.tensor1d([1, 2]);
    await expectNoLeaks(() => {
      for (const solver of ['dopri5', 'tsit5', 'rk4', 'euler'] as const) {
        const sol = solve({ terms: new ODETerm(identity), solver, t0: 2, t1: 2, y0, dt0: 0.1, saveAt: { t0: true, t1: true, ts: [2] } });
        expect(sol.status).toBe('success');
        expect(sol.ts).toEqual([2, 2, 2]);
        expect(read(sol.ys as tf.Tensor)).toEqual([1, 2, 1, 2, 1, 2]);
        expect(sol.stats.steps).toBe(0);
        sol.dispose();
      }
    });
    y0.dispose();
  });

  it('odeint(f, y0, [2, 2]) and odeint(f, y0, [2]) return y0 stacked (as torchdiffeq)', async () => {
    const y0 = tf.tensor1d([1, 2]);
    await expectNoLeaks(() => {
      const two = odeint(identity, y0, [2, 2]);
      expect(two.shape).toEqual([2, 2]);
      expect(read(two)).toEqual([1, 2, 1, 2]);
      const one = odeint(identity, y0, [2]);
      expect(one.shape).toEqual([1, 2]);
      expect(read(one)).toEqual([1, 2]);
      tf.dispose([two, one]);
    });
    y0.dispose();
  });

  it('ts as a 1-D tensor is read once and accepted', async () => {
    const y0 = tf.ones([1]);
    const ts = tf.tensor1d([0, 0.5, 1]);
    await expectNoLeaks(() => {
      const ys = odeint((_t, y: tf.Tensor) => tf.neg(y), y0, ts, { rtol: 1e-6 });
      expect(read(ys)[2] as number).toBeCloseTo(Math.exp(-1), 5);
      ys.dispose();
    });
    tf.dispose([y0, ts]);
  });
});

describeBackends('#15 crashes: terminal events', () => {
  it('an event with an identity vector field: t* = ln 2 for y = e^t crossing 2, dense output ends there', async () => {
    const y0 = tf.ones([1]);
    await expectNoLeaks(() => {
      const sol = solve({
        terms: new ODETerm(identity),
        solver: 'dopri5',
        t0: 0,
        t1: 2,
        y0,
        stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
        saveAt: { t1: true, dense: true },
        event: { fn: (_t, y: tf.Tensor) => tf.sub(tf.sum(y), 2) },
      });
      expect(sol.status).toBe('eventOccurred');
      // The located time is float32-limited (see Event.tol): 1e-6 holds, 1e-10 does not.
      expect(Math.abs(sol.tFinal - Math.LN2)).toBeLessThan(1e-6);
      expect(read(sol.ys as tf.Tensor)[0] as number).toBeCloseTo(2, 5);
      expect(read(sol.eventTime as tf.Tensor)[0] as number).toBeCloseTo(Math.LN2, 6);
      expect(sol.dense!.t1).toBe(sol.tFinal);
      expect(() => sol.dense!.evaluate(1.9)).toThrow(InvalidArgumentError);
      sol.dispose();
    });
    y0.dispose();
  });

  it('an event function returning a vector is a named error, with nothing leaked', async () => {
    const y0 = tf.ones([2]);
    await expectNamedError(
      () => solve({ terms: new ODETerm(identity), solver: 'dopri5', t0: 0, t1: 1, y0, event: { fn: (_t, y: tf.Tensor) => y } }),
      InvalidArgumentError,
      'event.fn',
      /must return a scalar \(got shape \[2\]\)/,
    );
    y0.dispose();
  });
});

describeBackends('#15: event-time sensitivity (gradients through a terminal event)', () => {
  /** y' = a y, y(0) = y0, stop when y = 2: t* = ln(2 / y0) / a, y(t*) = 2. */
  function eventSolve(y0: tf.Tensor, a: tf.Tensor): { yEnd: tf.Tensor; tEvent: tf.Tensor; sol: { dispose(): void } } {
    const sol = solve({
      terms: new ODETerm((_t: number, y: tf.Tensor) => tf.mul(a, y)),
      solver: 'dopri5',
      t0: 0,
      t1: 5,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
      event: { fn: (_t, y: tf.Tensor) => tf.sub(tf.sum(y), 2), direction: 1 },
    });
    return { yEnd: sol.ys as tf.Tensor, tEvent: sol.eventTime as tf.Tensor, sol };
  }

  it('d y(t*)/d y0 = 0 and d t*/d y0 = −1/(a y0), d t*/d a = −t*/a (diffrax test_adaptive_stepping_event)', async () => {
    const y0v = 0.5;
    const av = 1.3;
    const y0 = tf.tensor1d([y0v]);
    const a = tf.scalar(av);
    await expectNoLeaks(() => {
      const [gyY0, gyA] = tf.grads((y: tf.Tensor, p: tf.Tensor) => {
        const r = eventSolve(y, p);
        return tf.sum(r.yEnd);
      })([y0, a]);
      const [gtY0, gtA] = tf.grads((y: tf.Tensor, p: tf.Tensor) => {
        const r = eventSolve(y, p);
        return tf.sum(r.tEvent);
      })([y0, a]);
      const tStar = Math.log(2 / y0v) / av;
      expect(Math.abs(read(gyY0 as tf.Tensor)[0] as number)).toBeLessThan(1e-4);
      expect(Math.abs(read(gyA as tf.Tensor)[0] as number)).toBeLessThan(1e-4);
      expect(read(gtY0 as tf.Tensor)[0] as number).toBeCloseTo(-1 / (av * y0v), 3);
      expect(read(gtA as tf.Tensor)[0] as number).toBeCloseTo(-tStar / av, 3);
      // Against central finite differences of the located event time.
      const tAt = (yv: number, av2: number): number => {
        const yy = tf.tensor1d([yv]);
        const aa = tf.scalar(av2);
        const r = eventSolve(yy, aa);
        const t = read(r.tEvent)[0] as number;
        r.sol.dispose();
        tf.dispose([yy, aa]);
        return t;
      };
      const h = 1e-3;
      expect(read(gtY0 as tf.Tensor)[0] as number).toBeCloseTo((tAt(y0v + h, av) - tAt(y0v - h, av)) / (2 * h), 2);
      expect(read(gtA as tf.Tensor)[0] as number).toBeCloseTo((tAt(y0v, av + h) - tAt(y0v, av - h)) / (2 * h), 2);
      tf.dispose([gyY0, gyA, gtY0, gtA] as tf.Tensor[]);
    });
    tf.dispose([y0, a]);
  });

  it('a loss on another component at the event matches finite differences (harmonic oscillator stopped at x = 0)', async () => {
    // x' = v, v' = -w² x, x(0) = x0, v(0) = 0: stops at x = 0 (t* = π/(2w)) with v(t*) = -w x0.
    const w0 = 1.7;
    const x0v = 0.8;
    const run = (x0: tf.Tensor, w: tf.Tensor): tf.Tensor => {
      const sol = solve({
        terms: new ODETerm((_t: number, y: tf.Tensor) => tf.concat([y.slice([1], [1]), tf.neg(tf.mul(tf.square(w), y.slice([0], [1])))])),
        solver: 'tsit5',
        t0: 0,
        t1: 10,
        y0: tf.concat([x0, tf.zeros([1])]),
        stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
        event: { fn: (_t, y: tf.Tensor) => y.slice([0], [1]).sum(), direction: -1 },
      });
      return tf.add(tf.sum(tf.mul(sol.ys as tf.Tensor, tf.tensor1d([0, 1]))), tf.mul(sol.eventTime as tf.Tensor, 0.3));
    };
    const x0 = tf.tensor1d([x0v]);
    const w = tf.scalar(w0);
    await expectNoLeaks(() => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => run(a, b))([x0, w]);
      // loss = v(t*) + 0.3 t* = -w x0 + 0.3 π / (2 w)
      expect(read(gx as tf.Tensor)[0] as number).toBeCloseTo(-w0, 3);
      expect(read(gw as tf.Tensor)[0] as number).toBeCloseTo(-x0v - (0.3 * Math.PI) / (2 * w0 * w0), 3);
      tf.dispose([gx, gw] as tf.Tensor[]);
    });
    tf.dispose([x0, w]);
  });
});

describeBackends('#15 crashes: Milstein with a constant diffusion', () => {
  it('g = 0.3 (independent of y) runs and equals Euler–Maruyama on the same path', async () => {
    const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [16, 1], key: key(3) });
    const y0 = tf.ones([16, 1]);
    const term = new SDETerm({ drift: (_t, y) => tf.neg(y), diffusion: (_t, y) => tf.fill(y.shape, 0.3), bm });
    await expectNoLeaks(() => {
      const mil = solve({ terms: term, solver: 'milstein', t0: 0, t1: 1, y0, dt0: 0.05 });
      const eu = solve({ terms: term, solver: 'euler', t0: 0, t1: 1, y0, dt0: 0.05 });
      const a = read(mil.ys as tf.Tensor);
      const b = read(eu.ys as tf.Tensor);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 5));
      const strat = solve({ terms: term.toStratonovich(), solver: 'milstein', t0: 0, t1: 1, y0, dt0: 0.05 });
      read(strat.ys as tf.Tensor).forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 5));
      [mil, eu, strat].forEach((s) => s.dispose());
    });
    y0.dispose();
  });
});

describeBackends('#15 crashes: partial results with throwOnFailure: false', () => {
  it('maxStepsReached keeps what was saved so far and the state at tFinal', async () => {
    const y0 = tf.ones([1]);
    await expectNoLeaks(() => {
      const sol = solve({
        terms: new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y)),
        solver: 'rk4',
        t0: 0,
        t1: 10,
        y0,
        dt0: 0.1,
        saveAt: { t0: true, ts: [0.5, 5, 10] },
        maxSteps: 20,
        throwOnFailure: false,
      });
      expect(sol.status).toBe('maxStepsReached');
      expect(sol.ts).toEqual([0, 0.5]);
      expect(read(sol.ys as tf.Tensor)[1] as number).toBeCloseTo(Math.exp(-0.5), 5);
      expect(sol.tFinal).toBeCloseTo(2, 10);
      expect(read(sol.yFinal as tf.Tensor)[0] as number).toBeCloseTo(Math.exp(-2), 5);
      sol.dispose();
    });
    y0.dispose();
  });

  it('a stiff problem that saves nothing before maxSteps still gives yFinal', async () => {
    const y0 = tf.ones([1]);
    await expectNoLeaks(() => {
      const sol = solve({
        terms: new ODETerm((_t: number, y: tf.Tensor) => tf.mul(y, -1e4)),
        solver: 'dopri5',
        t0: 0,
        t1: 10,
        y0,
        maxSteps: 50,
        throwOnFailure: false,
      });
      expect(sol.status).toBe('maxStepsReached');
      expect(sol.ys).toBeUndefined();
      expect(sol.tFinal).toBeGreaterThan(0);
      expect(sol.yFinal).toBeDefined();
      expect(Math.abs(read(sol.yFinal as tf.Tensor)[0] as number)).toBeLessThan(1);
      sol.dispose();
    });
    y0.dispose();
  });
});

describeBackends('#15 errors: named, naming the argument and the fix, nothing leaked', () => {
  const y0 = (): tf.Tensor => tf.ones([2]);
  const withY0 = async (fn: (y: tf.Tensor) => unknown, cls: abstract new (...a: never[]) => NdeError, argument: string, msg: RegExp) => {
    const y = y0();
    await expectNamedError(() => fn(y), cls, argument, msg);
    y.dispose();
  };
  const base = (y: tf.Tensor): SolveOptions<tf.Tensor> => ({ terms: new ODETerm(identity), solver: 'dopri5', t0: 0, t1: 1, y0: y });

  it('a vector field returning the wrong shape under adaptive methods', async () => {
    for (const solver of ['dopri5', 'tsit5', 'bosh3', 'dopri8', 'rk4'] as const) {
      await withY0(
        (y) => solve({ ...base(y), solver, dt0: 0.1, terms: new ODETerm((_t, x: tf.Tensor) => tf.concat([x, x])) }),
        ShapeError,
        'terms.vf',
        /returned shape \[4\] for a state of shape \[2\]/,
      );
    }
  });

  it('a vector field returning a number, undefined, or a tree of the wrong structure', async () => {
    await withY0(
      (y) => solve({ ...base(y), terms: new ODETerm((() => 1) as never) }),
      InvalidArgumentError,
      'terms.vf',
      /got the number 1/,
    );
    await withY0(
      (y) => solve({ ...base(y), terms: new ODETerm((() => undefined) as never) }),
      InvalidArgumentError,
      'terms.vf',
      /got undefined/,
    );
    const tree = { a: tf.ones([2]), b: tf.ones([3]) };
    await expectNamedError(
      () =>
        solve({ terms: new ODETerm((_t, y: { a: tf.Tensor }) => ({ a: y.a }) as never), solver: 'rk4', t0: 0, t1: 1, y0: tree, dt0: 0.5 }),
      ShapeError,
      'terms.vf',
      /keys \{a\} where the state has \{a, b\}/,
    );
    tf.dispose([tree.a, tree.b]);
    expect(() => new ODETerm(undefined as never)).toThrow(/`vf`: must be a function/);
  });

  it('y0 = null, an empty batch, and a bad solver object', async () => {
    await expectNamedError(
      () => solve({ terms: new ODETerm(identity), solver: 'dopri5', t0: 0, t1: 1, y0: null as never }),
      InvalidArgumentError,
      'y0',
      /got null/,
    );
    const empty = tf.zeros([0, 3]);
    await expectNamedError(
      () => solve({ terms: new ODETerm(identity), solver: 'dopri5', t0: 0, t1: 1, y0: empty }),
      ShapeError,
      'y0',
      /no elements \(shape \[0, 3\]\)/,
    );
    empty.dispose();
    await withY0((y) => solve({ ...base(y), solver: 5 as never }), InvalidArgumentError, 'solver', /method name/);
  });

  it('NaN in a parameter is reported as a non-finite vector field at t0, not as a bad dt0', async () => {
    const w = tf.scalar(NaN);
    await withY0(
      (y) => solve({ ...base(y), terms: new ODETerm((_t, x: tf.Tensor) => tf.mul(x, w)) }),
      SolveFailedError,
      'terms.vf',
      /vector field is NaN or Infinity at t0=0/,
    );
    const y = y0();
    await expectNoLeaks(() => {
      const sol = solve({ ...base(y), terms: new ODETerm((_t, x: tf.Tensor) => tf.mul(x, w)), throwOnFailure: false });
      expect(sol.status).toBe('nonFinite');
      sol.dispose();
    });
    tf.dispose([w, y]);
  });

  it('odeint: non-monotone ts, empty ts', async () => {
    await withY0(
      (y) => odeint(identity, y, [0, 1, 0.5]),
      InvalidArgumentError,
      'ts',
      /not monotone increasing \(entry 1: 1, entry 2: 0.5\)/,
    );
    await withY0((y) => odeint(identity, y, []), InvalidArgumentError, 'ts', /is empty/);
    const bad = tf.ones([2, 2]);
    await withY0((y) => odeint(identity, y, bad as never), InvalidArgumentError, 'ts', /1-D tensor/);
    bad.dispose();
  });

  it('SDEs: solved past the Brownian interval, adaptive Euler, torchsde-style { drift, diffusion }', async () => {
    const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [2], key: key(0) });
    const sde = { f: (_t: number, y: tf.Tensor) => tf.neg(y), g: (_t: number, y: tf.Tensor) => tf.mul(y, 0.1) };
    await withY0(
      (y) => sdeint(sde, y, [0, 1.01], { dt: 0.01, bm }),
      InvalidArgumentError,
      'terms.bm',
      /covers \[0, 1\], but the solve runs over \[0, 1.01\]/,
    );
    const eulerAdaptive = thrown(() => {
      const y = y0();
      try {
        solve({
          terms: new SDETerm({ drift: sde.f, diffusion: sde.g, bm }),
          solver: 'euler',
          t0: 0,
          t1: 1,
          y0: y,
          dt0: 0.1,
          stepSizeController: new PIDController(),
        });
      } finally {
        y.dispose();
      }
    });
    expect(eulerAdaptive).toBeInstanceOf(UnsupportedError);
    expect(eulerAdaptive.message).toMatch(/'heun', 'midpoint'/);
    expect(eulerAdaptive.message).not.toMatch(/dopri5/);
    await withY0(
      (y) => sdeint({ drift: sde.f, diffusion: sde.g } as never, y, [0, 1], { dt: 0.1, bm }),
      InvalidArgumentError,
      'sde.f',
      /rename 'drift' to 'f'/,
    );
  });

  it('an SDE drift of the wrong shape leaks nothing', async () => {
    const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [2], key: key(0) });
    await withY0(
      (y) =>
        solve({
          terms: new SDETerm({ drift: (_t, x) => tf.concat([x, x]), diffusion: (_t, x) => x, bm }),
          solver: 'euler',
          t0: 0,
          t1: 1,
          y0: y,
          dt0: 0.1,
        }),
      ShapeError,
      'drift',
      /returned shape \[4\]/,
    );
  });

  it('a vector field that throws midway leaks nothing (dense output and saves in flight)', async () => {
    let calls = 0;
    const bad = new ODETerm((_t: number, y: tf.Tensor) => {
      if (++calls > 40) throw new InvalidArgumentError('test', 'thrown from the vector field');
      return tf.neg(y);
    });
    await withY0(
      (y) =>
        solve({
          ...base(y),
          terms: bad,
          saveAt: { t0: true, ts: [0.1, 0.2, 0.3, 0.9], steps: true, dense: true },
          stepSizeController: new PIDController({ rtol: 1e-8, atol: 1e-8 }),
        }),
      InvalidArgumentError,
      'test',
      /thrown from the vector field/,
    );
  });
});

describe('#15: constant-step solves reject what they cannot do', () => {
  it('ConstantStepSize without dt0 names dt0', () => {
    const y = tf.ones([1]);
    expect(() =>
      solve({ terms: new ODETerm(identity), solver: 'rk4', t0: 0, t1: 1, y0: y, stepSizeController: new ConstantStepSize() }),
    ).toThrow(/`dt0`: is required/);
    y.dispose();
  });
});

describeBackends('sdeint without a Brownian motion (issue #17)', () => {
  it('makes a seeded one itself: the same seed gives the same path, another seed another; GBM moments hold', async () => {
    const sde = { f: (_t: number, y: tf.Tensor) => tf.mul(y, 0.1), g: (_t: number, y: tf.Tensor) => tf.mul(y, 0.2) };
    const y0 = tf.ones([4000, 1]);
    await expectNoLeaks(() => {
      const a = sdeint(sde, y0, [0, 1], { dt: 0.02, seed: 3 });
      const b = sdeint(sde, y0, [0, 1], { dt: 0.02, seed: 3 });
      const c = sdeint(sde, y0, [0, 1], { dt: 0.02, seed: 4 });
      expect(read(a)).toEqual(read(b));
      expect(read(a)).not.toEqual(read(c));
      // E[y(1)] = e^0.1 for GBM; 4000 paths: standard error ~0.0035.
      const last = read(a).slice(4000);
      const mean = last.reduce((s, v) => s + v, 0) / last.length;
      expect(Math.abs(mean - Math.exp(0.1))).toBeLessThan(0.015);
      tf.dispose([a, b, c]);
    });
    // Non-diagonal noise reads m off g(t0, y0); adaptive and Lévy-area methods get what they need.
    const y8x2 = tf.ones([8, 2]);
    const y8x1 = tf.ones([8, 1]);
    await expectNoLeaks(() => {
      const general = sdeint(
        {
          f: (_t: number, y: tf.Tensor) => tf.neg(y),
          g: (_t: number, y: tf.Tensor) => tf.fill([...y.shape, 3], 0.1),
          noiseType: 'general',
          sdeType: 'stratonovich',
        },
        y8x2,
        [0, 0.5],
        { dt: 0.05, method: 'heun', adaptive: true },
      );
      expect(general.shape).toEqual([2, 8, 2]);
      const srk = sdeint({ ...sde, noiseType: 'diagonal' }, y8x1, [0, 0.5], { dt: 0.05, method: 'srk' });
      expect(srk.shape).toEqual([2, 8, 1]);
      tf.dispose([general, srk]);
    });
    tf.dispose([y0, y8x2, y8x1]);
  });
});
