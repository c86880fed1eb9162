/** Dense output, saveAt, backward solves, tree and batched states, per-sample norms, async, jump times, leaks. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { ConstantStepSize, ODETerm, PIDController, StepTo, TABLEAUS, odeint, odeintAsync, solve, solveAsync } from '@nde/solvers';

const decay = new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y));

describeBackends('dense output and saving', () => {
  for (const [method, tol] of [
    ['dopri5', 2e-5],
    ['tsit5', 2e-5],
    ['dopri8', 2e-5],
    ['bosh3', 1e-4],
    ['rk4', 1e-4],
  ] as const) {
    it(`${method}: dense output matches exp(-t) between steps (|err| < ${tol})`, async () => {
      const y0 = tf.ones([1]);
      await expectNoLeaks(async () => {
        const adaptive = TABLEAUS[method].bError !== undefined;
        const sol = solve({
          terms: decay,
          solver: method,
          t0: 0,
          t1: 2,
          y0,
          ...(adaptive ? { stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-7 }) } : { dt0: 0.1 }),
          saveAt: { dense: true, t1: true },
        });
        let worst = 0;
        for (let t = 0; t <= 2; t += 0.037) {
          const y = sol.dense?.evaluate(t) as tf.Tensor;
          worst = Math.max(worst, Math.abs(((await values(y))[0] as number) - Math.exp(-t)));
          y.dispose();
        }
        expect(worst).toBeLessThan(tol);
        expect(() => sol.dense?.evaluate(2.5)).toThrow(/outside the dense solution/);
        sol.dispose();
      });
      y0.dispose();
    });
  }

  it('saveAt t0/ts/steps/t1 in order, with exact times', async () => {
    const y0 = tf.ones([3]);
    await expectNoLeaks(async () => {
      const sol = solve({
        terms: decay,
        solver: 'dopri5',
        t0: 0,
        t1: 1,
        y0,
        stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
        saveAt: { t0: true, ts: [0, 0.25, 0.5, 1], t1: true },
      });
      expect(sol.ts).toEqual([0, 0, 0.25, 0.5, 1, 1]);
      const ys = (await (sol.ys as tf.Tensor).array()) as number[][];
      ys.forEach((row, i) => row.forEach((v) => expect(v).toBeCloseTo(Math.exp(-(sol.ts[i] as number)), 6)));
      sol.dispose();
      const steps = solve({ terms: decay, solver: 'rk4', t0: 0, t1: 1, y0, dt0: 0.1, saveAt: { steps: true } });
      expect(steps.ts.length).toBe(10);
      steps.ts.forEach((t, i) => expect(t).toBe(i === 9 ? 1 : (i + 1) * 0.1));
      steps.dispose();
    });
    y0.dispose();
  });

  it('constant steps: exactly ceil((t1-t0)/dt) steps, t = t0 + i·dt (no accumulated time)', () => {
    const y0 = tf.ones([1]);
    for (const [t1, dt, n] of [
      [1, 0.1, 10],
      [1, 0.3, 4],
      [0.7, 0.1, 7],
      [3, 0.01, 300],
    ] as const) {
      const sol = solve({ terms: decay, solver: 'euler', t0: 0, t1, y0, dt0: dt, saveAt: { steps: true }, checkFinite: false });
      expect(sol.stats.accepted).toBe(n);
      expect(sol.ts[sol.ts.length - 1]).toBe(t1);
      expect(sol.ts[n - 2]).toBe((n - 1) * dt);
      sol.dispose();
    }
    y0.dispose();
  });

  it('backward in time (t1 < t0) matches the forward solve and the analytic solution', async () => {
    const y1 = tf.tensor1d([Math.exp(-1)]);
    const back = solve({
      terms: decay,
      solver: 'tsit5',
      t0: 1,
      t1: 0,
      y0: y1,
      stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
      saveAt: { ts: [1, 0.5, 0] },
    });
    expect(back.ts).toEqual([1, 0.5, 0]);
    const ys = await values(back.ys as tf.Tensor);
    expect(ys[1]).toBeCloseTo(Math.exp(-0.5), 6);
    expect(ys[2]).toBeCloseTo(1, 6);
    const fixed = solve({ terms: decay, solver: 'rk4', t0: 1, t1: 0, y0: y1, dt0: -0.05 });
    expect((await values(fixed.ys as tf.Tensor))[0]).toBeCloseTo(1, 5);
    expect(() => solve({ terms: decay, solver: 'rk4', t0: 1, t1: 0, y0: y1, dt0: 0.05 })).toThrow(/must be < 0 for a backward solve/);
    // Round trip: forward then backward recovers y0.
    const y0 = tf.ones([1]);
    const fwd = odeint((_t, y: tf.Tensor) => tf.sin(y), y0, [0, 2], { method: 'dopri8', rtol: 1e-8, atol: 1e-10 });
    const end = fwd.slice([1], [1]).reshape([1]);
    const rev = odeint((_t, y: tf.Tensor) => tf.sin(y), end, [2, 0], { method: 'dopri8', rtol: 1e-8, atol: 1e-10 });
    expect((await values(rev))[1]).toBeCloseTo(1, 5);
    tf.dispose([y1, y0, fwd, end, rev]);
    back.dispose();
    fixed.dispose();
  });

  it('tree state: an object of tensors (harmonic oscillator) is solved as one system', async () => {
    const y0 = { x: tf.tensor1d([1]), v: tf.tensor1d([0]) };
    const term = new ODETerm((_t: number, y: { x: tf.Tensor; v: tf.Tensor }) => ({ x: y.v, v: tf.neg(y.x) }));
    await expectNoLeaks(async () => {
      const sol = solve({
        terms: term,
        solver: 'dopri5',
        t0: 0,
        t1: Math.PI / 2,
        y0,
        stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
      });
      const ys = sol.ys as { x: tf.Tensor; v: tf.Tensor };
      expect((await values(ys.x))[0]).toBeCloseTo(0, 5);
      expect((await values(ys.v))[0]).toBeCloseTo(-1, 5);
      sol.dispose();
    });
    tf.dispose([y0.x, y0.v]);
  });

  it("batched state: 'rms-per-sample' resolves every sample; 'rms' lets easy samples hide a hard one", async () => {
    // 63 slow samples (rate 0.1) and one fast one (rate 10): y' = -k ⊙ y.
    const k = tf.concat([tf.fill([63, 1], 0.1), tf.fill([1, 1], 10)]);
    const y0 = tf.ones([64, 1]);
    const term = new ODETerm((_t: number, y: tf.Tensor) => tf.mul(tf.neg(k), y));
    const run = async (norm: 'rms' | 'rms-per-sample') => {
      const sol = solve({
        terms: term,
        solver: 'dopri5',
        t0: 0,
        t1: 1,
        y0,
        stepSizeController: new PIDController({ rtol: 1e-4, atol: 1e-9, norm }),
      });
      const v = await values(sol.ys as tf.Tensor);
      const err = Math.abs((v[63] as number) - Math.exp(-10)) / Math.exp(-10);
      const steps = sol.stats.accepted;
      sol.dispose();
      return { err, steps };
    };
    const mixed = await run('rms');
    const perSample = await run('rms-per-sample');
    expect(perSample.steps).toBeGreaterThan(mixed.steps);
    expect(perSample.err).toBeLessThan(mixed.err);
    expect(perSample.err).toBeLessThan(2e-3);
    tf.dispose([k, y0]);
  });

  it('per-component tolerances (tensor rtol/atol) are honoured', async () => {
    const y0 = tf.ones([2]);
    const loose = solve({
      terms: decay,
      solver: 'dopri5',
      t0: 0,
      t1: 5,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-6 }),
    });
    const rtol = tf.tensor1d([1e-3, 1e-8]);
    const tight = solve({ terms: decay, solver: 'dopri5', t0: 0, t1: 5, y0, stepSizeController: new PIDController({ rtol, atol: 1e-10 }) });
    expect(tight.stats.accepted).toBeGreaterThan(3 * loose.stats.accepted);
    tf.dispose([rtol, y0]);
    loose.dispose();
    tight.dispose();
  });

  it('jumpTs: steps land on the discontinuity and the FSAL stage is recomputed; stepTs are hit exactly', async () => {
    // y' = 1 before t = 0.5 and -1 after: y(1) = 0.
    const term = new ODETerm((t: number, y: tf.Tensor) => tf.fill(y.shape, t < 0.5 ? 1 : -1));
    const y0 = tf.zeros([1]);
    const withJump = solve({
      terms: term,
      solver: 'dopri5',
      t0: 0,
      t1: 1,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8, jumpTs: [0.5] }),
      saveAt: { steps: true },
    });
    expect(withJump.ts).toContain(0.5);
    expect((await values(withJump.ys as tf.Tensor)).at(-1)).toBeCloseTo(0, 6);
    const marked = solve({
      terms: decay,
      solver: 'tsit5',
      t0: 0,
      t1: 1,
      y0: tf.onesLike(y0),
      stepSizeController: new PIDController({ stepTs: [0.123, 0.777] }),
      saveAt: { steps: true },
    });
    expect(marked.ts).toEqual(expect.arrayContaining([0.123, 0.777, 1]));
    withJump.dispose();
    marked.dispose();
    y0.dispose();
  });

  it('solveAsync / odeintAsync give the same numbers as the sync drivers', async () => {
    const y0 = tf.tensor1d([1, 2]);
    const a = solve({ terms: decay, solver: 'tsit5', t0: 0, t1: 1, y0, saveAt: { ts: [0.3, 1] } });
    const b = await solveAsync({ terms: decay, solver: 'tsit5', t0: 0, t1: 1, y0, saveAt: { ts: [0.3, 1] } });
    expect(await values(b.ys as tf.Tensor)).toEqual(await values(a.ys as tf.Tensor));
    expect(b.stats).toEqual(a.stats);
    const c = await odeintAsync((_t, y: tf.Tensor) => tf.neg(y), y0, [0, 1], { method: 'rk4', dt: 0.1 });
    expect((await values(c))[3]).toBeCloseTo(2 * Math.exp(-1), 5);
    a.dispose();
    b.dispose();
    tf.dispose([c, y0]);
  });

  it('StepTo steps on a given grid, and odeint without dt steps fixed methods on ts', async () => {
    const y0 = tf.ones([1]);
    const sol = solve({
      terms: decay,
      solver: 'rk4',
      t0: 0,
      t1: 1,
      y0,
      stepSizeController: new StepTo([0, 0.1, 0.5, 1]),
      saveAt: { steps: true },
    });
    expect(sol.ts).toEqual([0.1, 0.5, 1]);
    const ys = odeint((_t, y: tf.Tensor) => tf.neg(y), y0, [0, 0.5, 1], { method: 'rk4' });
    expect(ys.shape).toEqual([3, 1]);
    sol.dispose();
    tf.dispose([ys, y0]);
  });

  for (const method of Object.keys(TABLEAUS)) {
    it(`${method}: no tensor leaks, whatever is saved`, async () => {
      const y0 = tf.ones([4, 2]);
      const adaptive = TABLEAUS[method as keyof typeof TABLEAUS].bError !== undefined;
      await expectNoLeaks(() => {
        const sol = solve({
          terms: decay,
          solver: method,
          t0: 0,
          t1: 1,
          y0,
          ...(adaptive ? {} : { dt0: 0.1, stepSizeController: new ConstantStepSize() }),
          saveAt: { t0: true, ts: [0.2, 0.7], steps: true, dense: true, t1: true },
        });
        sol.dispose();
      });
      y0.dispose();
    });
  }
});
