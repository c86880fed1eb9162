/**
 * Weak accuracy of Euler–Maruyama on GBM dX = 0.5 X dt + 0.3 X dW, X0 = 1, t ∈ [0, 1], dt = 0.01,
 * batch 10000: the sample mean and variance of X(1) are within 3 standard errors of the analytic
 * values e^{0.5} = 1.64872 and e^{1}(e^{0.09} − 1) = 0.25599. (The scheme's own weak bias at
 * dt = 0.01 — mean 1.64667, var 0.25259 for the exact discrete scheme — is below one standard error
 * for the mean and below 1 for the variance, whose standard error is ≈ 0.004.)
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { sdeint } from '@nde/solvers';
import { makeBrownian } from './helpers/brownian.js';

const N = 10000;

describeBackends('SDE weak accuracy', () => {
  it('Euler–Maruyama GBM mean and variance of X(1) within 3 standard errors', async () => {
    await expectNoLeaks(async () => {
      const bm = makeBrownian({ t0: 0, t1: 1, shape: [N, 1], seed: 20240601, grid: 100 });
      const y0 = tf.ones([N, 1]);
      const ys = sdeint({ f: (_t, y) => tf.mul(y, 0.5), g: (_t, y) => tf.mul(y, 0.3) }, y0, [0, 1], {
        method: 'euler',
        dt: 0.01,
        bm,
        checkFinite: false,
      });
      const x = Array.from((await ys.data()).slice(N));
      ys.dispose();
      y0.dispose();
      const mean = x.reduce((a, b) => a + b, 0) / N;
      const m2 = x.reduce((a, b) => a + (b - mean) ** 2, 0) / N;
      const m4 = x.reduce((a, b) => a + (b - mean) ** 4, 0) / N;
      const variance = (m2 * N) / (N - 1);
      const seMean = Math.sqrt(variance / N);
      const seVar = Math.sqrt((m4 - m2 * m2) / N);
      const exactMean = Math.exp(0.5);
      const exactVar = Math.exp(1) * (Math.exp(0.09) - 1);
      console.log(
        `EM weak: mean ${mean.toFixed(5)} (exact ${exactMean.toFixed(5)}, se ${seMean.toFixed(5)}), var ${variance.toFixed(5)} (exact ${exactVar.toFixed(5)}, se ${seVar.toFixed(5)})`,
      );
      expect(Math.abs(mean - exactMean)).toBeLessThan(3 * seMean);
      expect(Math.abs(variance - exactVar)).toBeLessThan(3 * seVar);
    });
  });
});
