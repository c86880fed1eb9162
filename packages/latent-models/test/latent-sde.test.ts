import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { BrownianPath } from '@nde/brownian';
import { ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { Adam, LatentSDE, posteriorPathKL, disposeBatch } from '../src/index.js';
import { tinyBatch, withGarbage } from './helpers.js';

/** Closed-form KL for posterior dz = (a z + b) dt + σ dW vs prior dz = c z dt + σ dW from a fixed z0. */
function linearKL(a: number, b: number, c: number, sigma: number, z0: number, T: number): number {
  // m' = a m + b, v' = 2 a v + σ², k' = ½[(a−c)²(v + m²) + 2(a−c) b m + b²]/σ²; RK4 in doubles.
  const rhs = ([m, v]: number[]): number[] => {
    const mm = m as number;
    const vv = v as number;
    return [
      a * mm + b,
      2 * a * vv + sigma * sigma,
      (0.5 * ((a - c) ** 2 * (vv + mm * mm) + 2 * (a - c) * b * mm + b * b)) / (sigma * sigma),
    ];
  };
  let y = [z0, 0, 0];
  const n = 2000;
  const h = T / n;
  for (let i = 0; i < n; i++) {
    const k1 = rhs(y);
    const k2 = rhs(y.map((x, j) => x + (h / 2) * (k1[j] as number)));
    const k3 = rhs(y.map((x, j) => x + (h / 2) * (k2[j] as number)));
    const k4 = rhs(y.map((x, j) => x + h * (k3[j] as number)));
    y = y.map((x, j) => x + (h / 6) * ((k1[j] as number) + 2 * (k2[j] as number) + 2 * (k3[j] as number) + (k4[j] as number)));
  }
  return y[2] as number;
}

describeBackends('latent SDE', () => {
  it('path KL matches the closed form for linear drifts (standard and STL estimators)', async () => {
    const [a, b, c, sigma, z0, T] = [-1, 0.5, -0.2, 0.8, 1, 1];
    const exact = linearKL(a, b, c, sigma, z0, T);
    const N = 2000;
    for (const stl of [false, true]) {
      const bm = new BrownianPath({ t0: 0, t1: T, shape: [N, 1], key: 42 });
      const est = tf.tidy(() => {
        const { logqp } = posteriorPathKL({
          posteriorDrift: (_t, z) => tf.add(tf.mul(z, a), b),
          priorDrift: (_t, z) => tf.mul(z, c),
          diffusion: (_t, z) => tf.fill(z.shape, sigma),
          z0: tf.fill([N, 1], z0) as tf.Tensor2D,
          times: [0, 0.5, T],
          dt: 0.01,
          bm,
          stl,
        });
        return logqp;
      });
      const xs = await values(est);
      est.dispose();
      const mean = xs.reduce((s, x) => s + x, 0) / N;
      const se = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (N - 1) / N);
      // Monte Carlo error (4 SE) plus Euler's O(dt) bias (≤ 3% here) and float32 rounding.
      expect(Math.abs(mean - exact)).toBeLessThan(4 * se + 0.03 * exact);
    }
    expect(exact).toBeGreaterThan(0.1);
  });

  it('ELBO ignores masked values, trains without leaks (with and without STL), samples', async () => {
    const batch = tinyBatch(3, 5, 2);
    const garbage = withGarbage(batch);
    const model = new LatentSDE({
      dataDim: 2,
      latentDim: 2,
      contextDim: 3,
      encoderHidden: 4,
      hidden: 8,
      diffusionHidden: 4,
      dt: 0.1,
      seed: 0,
    });
    const e1 = model.elbo(batch, { seed: 5 });
    const e2 = model.elbo(garbage, { seed: 5 });
    expect((await values(e2.loss))[0]).toBeCloseTo((await values(e1.loss))[0] as number, 3);
    expect((await values(e1.klPath))[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([e1, e2, garbage.values] as unknown as tf.Tensor[]);
    const opt = new Adam({ learningRate: 0.01 });
    opt.step(() => model.elbo(batch, { seed: 0 }).loss, model);
    await expectNoLeaks(() => {
      for (let i = 1; i < 4; i++) opt.step(() => model.elbo(batch, { seed: i, stl: i % 2 === 1, nSamples: 2 }).loss, model);
    });
    await expectNoLeaks(() => {
      const prior = model.samplePrior(4, [0, 0.5, 1], { seed: 1 });
      expect(prior.shape).toEqual([4, 3, 2]);
      const post = model.samplePosterior(batch, { nSamples: 2, seed: 2, futureTimes: [2, 2.5] });
      expect(post.shape).toEqual([2, 3, 7, 2]);
      const pred = model.predict(batch, [2, 2.5], { nSamples: 2, seed: 3 });
      expect(pred.shape).toEqual([3, 2, 2]);
      tf.dispose([prior, post, pred]);
    });
    expect(() => model.samplePosterior(batch, { futureTimes: [0.2] })).toThrow(/futureTimes/);
    const wrong = tinyBatch(2, 3, 1);
    expect(() => model.elbo(wrong)).toThrow(ShapeError);
    disposeBatch(wrong);
    opt.dispose();
    model.dispose();
    disposeBatch(batch);
  });
});
