/** The async solve path on WebGPU (Dawn + lavapipe in CI, a real GPU elsewhere); same numbers as cpu. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeWebGpu, parityMlp } from '@nde/test-utils';
import { UnsupportedError } from '@nde/core';
import { ODETerm, PIDController, TensorTimeODETerm, solve, solveAsync } from '@nde/solvers';
import { CLASSIC, expectParity, expectSameSteps, type DeviceCase } from './helpers/device-cases.js';

await describeWebGpu('solveAsync', () => {
  it('neural-ODE parity: NFE 14 and y(1) within 1e-4 of float64, no leaks', async () => {
    const { mlp, y0: makeY0, reference: expected } = parityMlp();
    const y0 = makeY0();
    const before = tf.memory().numTensors;
    const sol = await solveAsync({
      terms: new ODETerm((_t: number, y: tf.Tensor) => mlp.apply(y)),
      solver: 'dopri5',
      t0: 0,
      t1: 1,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }),
    });
    const got = (await (sol.ys as tf.Tensor).data()) as Float32Array;
    const err = Math.max(...expected.map((v, i) => Math.abs(v - (got[i] as number))));
    console.log(`webgpu parity: nfe ${sol.stats.nfe}, err ${err.toExponential(2)}`);
    expect(sol.stats.nfe).toBe(14);
    expect(err).toBeLessThan(1e-4);
    sol.dispose();
    expect(tf.memory().numTensors).toBe(before);
    y0.dispose();
    mlp.dispose();
  });

  it('the synchronous solve refuses WebGPU with a hint to use solveAsync', () => {
    const y0 = tf.ones([2]);
    expect(() => solve({ terms: new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y)), solver: 'dopri5', t0: 0, t1: 1, y0 })).toThrow(
      UnsupportedError,
    );
    y0.dispose();
  });
});

// Fields here are polynomial (or tanh) in t and y: WGSL's cos/sin may be accurate only to 2⁻¹¹
// absolute, which makes the error estimates of small steps differ between the two loops.
await describeWebGpu('device-resident solve', () => {
  it.each([CLASSIC[2], CLASSIC[3]].map((c) => [c?.name, c as DeviceCase] as const))(
    '%s: the ordinary loop’s accepted and rejected steps with one read per 8 steps, no leaks',
    async (_n, c) => expectSameSteps(c, 8, 'webgpu '),
  );

  it('neural-ODE parity device-resident: the same steps, y(1) within 1e-4 of float64, one read', expectParity);

  it('per-sample step sizes on WebGPU match per-sample solves', async () => {
    const lam = tf.tensor2d([0.5, 8, 32], [3, 1]);
    const term = new TensorTimeODETerm((t: tf.Tensor, y: tf.Tensor, l: tf.Tensor) =>
      tf.add(tf.mul(tf.neg(l), y), tf.mul(t, tf.sub(1, t)).reshape([-1, 1])),
    );
    const y0 = tf.tensor2d([1, -1, 2, 0.5, 0, 1], [3, 2]);
    // dt0 given: Hairer's first steps are far inside the tolerance, where float32 error estimates are mostly rounding.
    const base = {
      terms: term,
      solver: 'tsit5',
      t0: 0,
      t1: 2,
      dt0: 0.02,
      stepSizeController: new PIDController({ rtol: 1e-4, atol: 1e-6 }),
    };
    const batch = await solveAsync({ ...base, y0, args: lam, onDevice: { perSample: true, readEvery: 16 } });
    const got = (await (batch.ys as tf.Tensor).array()) as number[][][];
    let accepted = 0;
    for (let b = 0; b < 3; b++) {
      const yb = tf.slice(y0, [b, 0], [1, 2]);
      const lb = tf.slice(lam, [b, 0], [1, 1]);
      const one = await solveAsync({ ...base, y0: yb, args: lb });
      accepted += one.stats.accepted;
      const mine = (await (one.ys as tf.Tensor).array()) as number[][][];
      mine[0]?.[0]?.forEach((v, j) => expect(Math.abs(v - (got[0]?.[b]?.[j] as number))).toBeLessThan(1e-4));
      one.dispose();
      tf.dispose([yb, lb]);
    }
    expect(batch.stats.accepted).toBe(accepted);
    batch.dispose();
    tf.dispose([lam, y0]);
  });
});
