/** The async solve path on WebGPU (Dawn + lavapipe in CI, a real GPU elsewhere); same numbers as cpu. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeWebGpu, loadReference } from '@nde/test-utils';
import { Linear, MLP, UnsupportedError } from '@nde/core';
import { ODETerm, PIDController, solve, solveAsync } from '@nde/solvers';

interface Parity {
  parity_data: { weights: Record<string, number[][] | number[]>; y0: number[][]; 'yT_reference_float64_rtol1e-10_atol1e-12': number[][] };
}

await describeWebGpu('solveAsync', () => {
  it('neural-ODE parity: NFE 14 and y(1) within 1e-4 of float64, no leaks', async () => {
    const ref = loadReference<Parity>('neural_ode_parity.json');
    const w = ref.parity_data.weights;
    const mlp = new MLP({
      layers: [
        Linear.fromTorch(w['0.weight'] as number[][], w['0.bias'] as number[]),
        Linear.fromTorch(w['2.weight'] as number[][], w['2.bias'] as number[]),
      ],
      activation: 'tanh',
    });
    const y0 = tf.tensor2d(ref.parity_data.y0);
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
    const expected = ref.parity_data['yT_reference_float64_rtol1e-10_atol1e-12'].flat();
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
