import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { key } from '@nde/brownian';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { OUPrior, estimatePathKL, linearDrift, ouPathKL } from '../src/index.js';

describeBackends('path KL accumulator', () => {
  const prior = new OUPrior({ theta: 1, sigma: 0.5 });
  const q = { alpha: 0.3, beta: 2 };

  it('closed form: zero for posterior = prior, positive otherwise', () => {
    expect(ouPathKL(prior, { alpha: 0, beta: 1 }, 1.3, 1)).toBeCloseTo(0, 12);
    // α = 0, μ = 0: KL = (θ−β)²/(2σ²) [w0²(1−e^{−2βT})/(2β) + σ²/(2β)(T − (1−e^{−2βT})/(2β))] in closed form.
    const b = 2;
    const e = 1 - Math.exp(-2 * b);
    const exact = ((1 - b) ** 2 / (2 * 0.25)) * (e / (2 * b) + (0.25 / (2 * b)) * (1 - e / (2 * b)));
    expect(ouPathKL(prior, { alpha: 0, beta: b }, 1, 1)).toBeCloseTo(exact, 9);
  });

  // Monte Carlo over 4000 paths; the tolerance is 4 standard errors plus the O(dt) discretisation bias.
  for (const method of ['euler', 'midpoint'] as const) {
    it(`the accumulated ½|u|² matches the closed form (${method})`, async () => {
      const exact = ouPathKL(prior, q, 1, 1);
      const est = await expectNoLeaks(() => {
        const w0 = tf.ones([4000, 1]);
        const r = estimatePathKL({ prior, posterior: linearDrift(q), w0, steps: 32, method, key: key(3) });
        w0.dispose();
        return r;
      });
      expect(Math.abs(est.mean - exact)).toBeLessThan(4 * est.stderr + 0.02 * exact);
    });
  }

  it('the STL estimator has the same mean (euler and midpoint with the Itô correction)', () => {
    const exact = ouPathKL(prior, q, 1, 1);
    for (const method of ['euler', 'midpoint'] as const) {
      const w0 = tf.ones([4000, 1]);
      const est = estimatePathKL({ prior, posterior: linearDrift(q), w0, steps: 32, method, stl: true, key: key(4) });
      w0.dispose();
      expect(Math.abs(est.mean - exact)).toBeLessThan(4 * est.stderr + 0.03 * exact);
    }
  });
});
