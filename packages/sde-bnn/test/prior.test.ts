import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { key } from '@nde/brownian';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { InvalidArgumentError } from '@nde/core';
import { OUPrior, solveJoint } from '../src/index.js';

describeBackends('OU prior over weights', () => {
  it('the weight SDE reaches the OU stationary variance σ²/(2θ)', async () => {
    const prior = new OUPrior({ theta: 2, sigma: 0.6 }); // σ²/(2θ) = 0.09
    const v = await expectNoLeaks(() =>
      tf.tidy(() => {
        // 1000 paths × 8 independent weights from w(0) = 0.5, sampled from the prior itself, over t ∈ [0, 3].
        const sol = solveJoint({ w0: tf.fill([1000, 8], 0.5), prior, posterior: prior, t1: 3, steps: 96, method: 'midpoint', key: key(7) });
        const m = tf.moments(sol.w);
        return {
          mean: m.mean.dataSync()[0] as number,
          variance: m.variance.dataSync()[0] as number,
          kl: tf.max(tf.abs(sol.kl)).dataSync()[0] as number,
        };
      }),
    );
    const exact = prior.marginal(0.5, 3); // e^{−12}: stationary to 6e-6
    expect(exact.variance).toBeCloseTo(prior.stationaryVariance, 5);
    // 8000 samples: the variance's relative standard error is √(2/8000) ≈ 1.6 %; allow 6 %.
    expect(Math.abs(v.variance / prior.stationaryVariance - 1)).toBeLessThan(0.06);
    expect(Math.abs(v.mean)).toBeLessThan(4 * Math.sqrt(prior.stationaryVariance / 8000) + 1e-3);
    expect(v.kl).toBeLessThan(1e-6); // posterior = prior: zero KL
  });

  it('rejects bad parameters with typed errors', () => {
    expect(() => new OUPrior({ theta: 0 })).toThrow(InvalidArgumentError);
    expect(() => new OUPrior({ sigma: -1 })).toThrow(InvalidArgumentError);
  });
});
