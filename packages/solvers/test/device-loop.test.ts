/**
 * The device-resident loop (`onDevice`): the ordinary loop's steps with a host read only every k
 * steps, per-sample step sizes, compensated time, and the named errors.
 *
 * Why step grids agree only "to float32 rounding": both loops estimate each step's error in float32,
 * and a step whose error is far below the tolerance (Hairer's first step often is: ratio ~1e-5) has
 * an estimate made mostly of rounding, which the two loops round differently (fused kernels against
 * separate ones). The next step sizes then differ by up to a few %, every later decision is the same
 * kind, and the counts of accepted and rejected steps agree exactly on every problem here. (Given a
 * first step inside the tolerance's reach, cos(t)·y's grids agree to 1.4e-4.)
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import { InvalidArgumentError, ShapeError, UnsupportedError, tidyTree } from '@nde/core';
import {
  ConstantStepSize,
  ODETerm,
  PIDController,
  SolveFailedError,
  TensorTimeODETerm,
  solve,
  solveAsync,
  solveLanesReplay,
  type LaneSteps,
  type SolveOptions,
} from '@nde/solvers';
import { addIncrement, compensatedOf, joinNumber } from '../src/device/compensated.js';
import { CLASSIC, compare, expectParity, expectSameSteps } from './helpers/device-cases.js';

const decay = new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => tf.neg(y));

describe('compensated time', () => {
  it('10⁵ float32 increments of 1e-5 from 1 keep float64-like resolution (plain float32 drifts by ~1e-2)', () => {
    const h = Math.fround(1e-5);
    let t = compensatedOf([1]);
    const inc = tf.scalar(h);
    let plain = Math.fround(1);
    for (let i = 0; i < 100000; i++) {
      const next = tidyTree(() => addIncrement(t, inc));
      t.hi.dispose();
      t.lo.dispose();
      t = next;
      plain = Math.fround(plain + h);
    }
    const exact = 1 + 100000 * h;
    const got = joinNumber(t.hi.dataSync()[0] as number, t.lo.dataSync()[0] as number);
    expect(Math.abs(got - exact)).toBeLessThan(1e-11);
    expect(Math.abs(plain - exact)).toBeGreaterThan(1e-3);
    tf.dispose([t.hi, t.lo, inc]);
  });
});

describe('TensorTimeODETerm', () => {
  it('in an ordinary solve, a field that returns t itself (dy/dt = t) integrates to t²/2', () => {
    const y0 = tf.scalar(0);
    const sol = solve({ terms: new TensorTimeODETerm((t: tf.Tensor) => t), solver: 'tsit5', t0: 0, t1: 1, y0 });
    expect(Math.abs(((sol.ys as tf.Tensor).dataSync()[0] as number) - 0.5)).toBeLessThan(1e-6);
    sol.dispose();
    y0.dispose();
  });
});

describeBackends('device-resident loop', () => {
  it.each(CLASSIC.map((c) => [c.name, c] as const))(
    '%s: the same accepted and rejected steps as the ordinary loop, one read per 8 steps',
    async (_n, c) => expectSameSteps(c, 8, ''),
  );

  it('neural-ODE parity: the same 2 steps and y(1) within 1e-4 of float64, in one read', expectParity);

  it("readEvery 'auto' reads a handful of times on a 107-step solve", async () => {
    const { host, device } = await compare(CLASSIC[2] as (typeof CLASSIC)[number], 'auto');
    console.log(`auto: ${device.stats.hostReads} reads, ${device.stats.wastedSteps} wasted over ${device.stats.steps} steps`);
    expect(device.stats.accepted).toBe(host.stats.accepted);
    expect(device.stats.hostReads).toBeLessThanOrEqual(6);
    expect(device.stats.wastedSteps).toBeLessThanOrEqual(0.1 * device.stats.steps + 2);
    host.dispose();
    device.dispose();
  });

  it('per-sample step sizes: each sample takes the steps of its own solve', async () => {
    // y' = −λ y + sin t, λ from 0.5 to 32: the stiffer samples take many more steps.
    const lambdas = [0.5, 2, 8, 32];
    const lam = tf.tensor2d(lambdas, [4, 1]);
    const term = new TensorTimeODETerm((t: tf.Tensor, y: tf.Tensor, l: tf.Tensor) =>
      tf.add(tf.mul(tf.neg(l), y), tf.sin(t).reshape([-1, 1])),
    );
    const y0 = tf.tensor2d([1, -1, 2, 0.5, 0, 1, -2, 3], [4, 2]);
    const ts = [0, 0.5, 1.5, 3];
    const base = {
      terms: term,
      solver: 'tsit5',
      t0: 0,
      t1: 3,
      stepSizeController: new PIDController({ rtol: 1e-4, atol: 1e-6 }),
      saveAt: { ts },
    };
    const before = tf.memory().numTensors;
    const batch = await solveAsync({ ...base, y0, args: lam, onDevice: { perSample: true, readEvery: 16 } });
    let accepted = 0;
    let rejected = 0;
    let worst = 0;
    const ys = await (batch.ys as tf.Tensor).array();
    const perSampleSteps: number[] = [];
    for (let b = 0; b < 4; b++) {
      const yb = tf.slice(y0, [b, 0], [1, 2]);
      const lb = tf.slice(lam, [b, 0], [1, 1]);
      const one = await solveAsync({ ...base, y0: yb, args: lb });
      accepted += one.stats.accepted;
      rejected += one.stats.rejected;
      perSampleSteps.push(one.stats.steps);
      const mine = (await (one.ys as tf.Tensor).array()) as number[][][];
      mine.forEach((row, i) =>
        row[0]?.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - ((ys as number[][][])[i]?.[b]?.[j] as number))))),
      );
      one.dispose();
      tf.dispose([yb, lb]);
    }
    console.log(
      `per-sample: steps ${perSampleSteps.join(', ')}; batch accepted ${batch.stats.accepted} rejected ${batch.stats.rejected}, ${batch.stats.hostReads} reads, ${batch.stats.wastedSteps} masked lane-steps, worst gap ${worst.toExponential(1)}`,
    );
    expect(batch.stats.accepted).toBe(accepted);
    expect(batch.stats.rejected).toBe(rejected);
    expect(worst).toBeLessThan(1e-4);
    // The slowest lane sets the iterations; the others' extra iterations are masked.
    const iterations = (batch.stats.steps + (batch.stats.wastedSteps as number)) / 4;
    expect(iterations).toBeGreaterThanOrEqual(Math.max(...perSampleSteps));
    expect(iterations).toBeLessThan(Math.max(...perSampleSteps) + 16);
    expect(batch.stats.hostReads).toBeLessThanOrEqual(Math.ceil(iterations / 16) + 1);
    batch.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([lam, y0]);
  });

  it('per-sample lane record: the replay retakes the recorded steps without a read and lands on the same states', async () => {
    const lam = tf.tensor2d([0.5, 4, 32], [3, 1]);
    const term = new TensorTimeODETerm((t: tf.Tensor, y: tf.Tensor, l: tf.Tensor) =>
      tf.add(tf.mul(tf.neg(l), y), tf.sin(t).reshape([-1, 1])),
    );
    const y0 = tf.tensor2d([1, -1, 2, 0.5, 0, 1], [3, 2]);
    const options = {
      terms: term,
      solver: 'bosh3',
      t0: 0,
      t1: 2,
      y0,
      args: lam,
      stepSizeController: new PIDController({ rtol: 1e-4, atol: 1e-6 }),
      saveAt: { ts: [0, 0.7, 2] },
      onDevice: { perSample: true, recordLanes: true },
    };
    const before = tf.memory().numTensors;
    const forward = await solveAsync(options);
    const steps = forward.laneSteps?.steps ?? [];
    const replay = solveLanesReplay(options, forward.laneSteps as LaneSteps);
    const a = await (forward.ys as tf.Tensor).data();
    const b = await (replay.ys as tf.Tensor).data();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(replay.stats.hostReads).toBe(0);
    expect(replay.stats.accepted).toBe(forward.stats.accepted);
    expect(steps.length).toBe((forward.stats.steps + (forward.stats.wastedSteps as number)) / 3);
    forward.dispose();
    replay.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([lam, y0]);
  });

  it('compensated time: 100 steps of 1e-4 at t = 10⁴ (a fifth of float32 spacing there, so float32 time would not move)', async () => {
    const t0 = 1e4;
    const term = new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => tf.onesLike(y));
    const y0 = tf.zeros([1]);
    expect(Math.fround(t0 + 1e-4)).toBe(t0);
    const sol = await solveAsync({
      terms: term,
      solver: 'heun',
      t0,
      t1: t0 + 0.01,
      y0,
      dt0: 1e-4,
      stepSizeController: new PIDController({ dtmax: 1e-4 }),
      onDevice: { readEvery: 32 },
    });
    const st = sol.stepTimes as number[];
    expect(sol.stats.accepted).toBeGreaterThanOrEqual(100);
    expect(sol.stats.accepted).toBeLessThanOrEqual(101);
    expect(st.at(-1)).toBe(t0 + 0.01);
    // Every step end is t0 + n·fround(1e-4) to ~1e-13 relative, though float32 alone cannot tell t0
    // from t0 + 1e-4. (Each addition rounds the low part, |lo| ≤ 5e-4 here, to float32: ≤ 3e-11 a step.)
    const h = Math.fround(1e-4);
    st.slice(0, 99).forEach((t, i) => expect(Math.abs(t - (t0 + (i + 1) * h))).toBeLessThan(1e-9));
    expect(Math.abs(((await (sol.ys as tf.Tensor).data())[0] as number) - 0.01)).toBeLessThan(1e-6);
    sol.dispose();
    y0.dispose();
  });

  it('kernels: one device-resident tsit5 step costs ≤ 112 kernels, the field’s 6 included (no host read)', async () => {
    // Kernels of a solve of n steps read once, for n = 1 and 2: the difference is one step.
    const y0 = tf.ones([4, 2]);
    const kernels = async (n: number): Promise<number> => {
      const info = await tf.profile(async () => {
        const sol = await solveAsync({
          terms: decay,
          solver: 'tsit5',
          t0: 0,
          t1: 1,
          y0,
          dt0: 0.1,
          stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-6 }),
          maxSteps: n,
          throwOnFailure: false,
          onDevice: { readEvery: n },
        });
        sol.dispose();
      });
      return info.kernels.length;
    };
    const perStep = (await kernels(2)) - (await kernels(1));
    console.log(`device-resident tsit5 step: ${perStep} kernels (6 of them the field)`);
    expect(perStep).toBeLessThanOrEqual(112);
    y0.dispose();
  });

  describe('bad input gets named errors and leaks nothing', () => {
    const y0 = (): tf.Tensor => tf.tensor1d([1, 2]);
    const run = async (o: Partial<SolveOptions<tf.Tensor>>, y = y0()): Promise<unknown> => {
      const before = tf.memory().numTensors;
      try {
        await solveAsync({ terms: decay, solver: 'dopri5', t0: 0, t1: 1, y0: y, onDevice: {}, ...o } as SolveOptions<tf.Tensor>);
        return undefined;
      } catch (e) {
        y.dispose();
        expect(tf.memory().numTensors).toBe(before - 1);
        return e;
      }
    };

    it('an ODETerm (time as a JS number) → UnsupportedError naming terms', async () => {
      const e = await run({ terms: new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y)) });
      expect(e).toBeInstanceOf(UnsupportedError);
      expect((e as UnsupportedError).argument).toBe('terms');
    });
    it('an implicit method → UnsupportedError naming solver', async () => {
      const e = await run({ solver: 'kvaerno5' });
      expect(e).toBeInstanceOf(UnsupportedError);
      expect((e as UnsupportedError).argument).toBe('solver');
    });
    it('a constant step size → UnsupportedError naming stepSizeController', async () => {
      const e = await run({ solver: 'rk4', dt0: 0.1, stepSizeController: new ConstantStepSize() });
      expect((e as UnsupportedError).argument).toBe('stepSizeController');
    });
    it('dt0 against the direction of integration → InvalidArgumentError naming dt0', async () => {
      const e = await run({ dt0: -0.1, stepSizeController: new PIDController() });
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).argument).toBe('dt0');
    });
    it('readEvery 0 → InvalidArgumentError naming onDevice.readEvery', async () => {
      const e = await run({ onDevice: { readEvery: 0 } });
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).argument).toBe('onDevice.readEvery');
    });
    it('NaN in y0 → InvalidArgumentError naming y0', async () => {
      const e = await run({}, tf.tensor1d([1, NaN]));
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).argument).toBe('y0');
    });
    it('a vector field of the wrong shape → ShapeError naming terms.vf', async () => {
      const e = await run({ terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => tf.concat([y, y])) });
      expect(e).toBeInstanceOf(ShapeError);
      expect((e as ShapeError).argument).toBe('terms.vf');
    });
    it('per-sample with a leaf without a batch axis → ShapeError naming y0', async () => {
      const e = await run({ onDevice: { perSample: true } }, tf.scalar(1));
      expect(e).toBeInstanceOf(ShapeError);
      expect((e as ShapeError).argument).toBe('y0');
    });
    it('maxSteps reached → SolveFailedError(maxStepsReached), or the partial state with throwOnFailure: false', async () => {
      const e = await run({ maxSteps: 3, stepSizeController: new PIDController({ rtol: 1e-9, atol: 1e-9 }) });
      expect(e).toBeInstanceOf(SolveFailedError);
      expect((e as SolveFailedError).status).toBe('maxStepsReached');
      const y = y0();
      const sol = await solveAsync({
        terms: decay,
        solver: 'dopri5',
        t0: 0,
        t1: 1,
        y0: y,
        maxSteps: 3,
        stepSizeController: new PIDController({ rtol: 1e-9, atol: 1e-9 }),
        onDevice: {},
        throwOnFailure: false,
      });
      expect(sol.status).toBe('maxStepsReached');
      expect(sol.tFinal).toBeGreaterThan(0);
      expect(sol.tFinal).toBeLessThan(1);
      expect(sol.yFinal?.shape).toEqual([2]);
      sol.dispose();
      y.dispose();
    });
    it('a blow-up (y′ = y², singular at t = 1) → SolveFailedError(dtUnderflow or nonFinite) near t = 1', async () => {
      const e = await run(
        { terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => tf.square(y)), t1: 2, maxSteps: 100000 },
        tf.tensor1d([1]),
      );
      expect(e).toBeInstanceOf(SolveFailedError);
      expect(['dtUnderflow', 'nonFinite']).toContain((e as SolveFailedError).status);
      expect(Math.abs((e as SolveFailedError).t - 1)).toBeLessThan(1e-2);
    });
    it("a field that is NaN at (t0, y0) → SolveFailedError(nonFinite) blaming terms.vf at once, with readEvery 'auto' too", async () => {
      const e = await run({
        terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => tf.sqrt(tf.neg(y))),
        onDevice: { readEvery: 'auto' },
      });
      expect(e).toBeInstanceOf(SolveFailedError);
      expect((e as SolveFailedError).status).toBe('nonFinite');
      expect((e as SolveFailedError).argument).toBe('terms.vf');
    });
    it('a lane record of another batch size → ShapeError naming steps', () => {
      const y = tf.ones([3, 2]);
      const before = tf.memory().numTensors;
      const options = { terms: decay, solver: 'dopri5', t0: 0, t1: 1, y0: y, onDevice: { perSample: true } };
      const steps: LaneSteps = { steps: [{ h: new Float32Array(2), accepted: new Uint8Array(2), reached: new Uint8Array(2) }] };
      const err = (() => {
        try {
          solveLanesReplay(options, steps);
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ShapeError);
      expect((err as ShapeError).argument).toBe('steps');
      expect(tf.memory().numTensors).toBe(before);
      y.dispose();
    });
    it('an adjoint around a device-resident solve → UnsupportedError naming adjoint', () => {
      const y = y0();
      const adjoint = { name: 'fake', solve: () => undefined as never };
      expect(() => solve({ terms: decay, solver: 'dopri5', t0: 0, t1: 1, y0: y, onDevice: {}, adjoint })).toThrow(UnsupportedError);
      y.dispose();
    });
  });
});
