import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { gaussianKL, gaussianLogLikelihood, laplaceLogLikelihood, maskedMSE, stopGradient } from '../src/index.js';

const LOG2PI = Math.log(2 * Math.PI);

describeBackends('ELBO terms (hand-computed)', () => {
  it('Gaussian log-likelihood with a mask', async () => {
    await expectNoLeaks(async () => {
      const x = tf.tensor3d([
        [[1], [2]],
        [[0], [5]],
      ]);
      const mu = tf.tensor3d([
        [[0], [2.5]],
        [[0], [0]],
      ]);
      const m = tf.tensor3d([
        [[1], [1]],
        [[1], [0]],
      ]);
      const ll = gaussianLogLikelihood(x, mu, 0.5, m);
      // seq 0: N(1|0,.25) + N(2|2.5,.25); seq 1: N(0|0,.25) only (5 is masked)
      const one = (d: number): number => -0.5 * ((d / 0.5) ** 2 + LOG2PI) - Math.log(0.5);
      const got = await values(ll);
      expect(got[0]).toBeCloseTo(one(1) + one(-0.5), 4);
      expect(got[1]).toBeCloseTo(one(0), 4);
      tf.dispose([x, mu, m, ll]);
    });
  });

  it('Laplace log-likelihood', async () => {
    const x = tf.tensor2d([[1, -1]]);
    const loc = tf.tensor2d([[0, 0]]);
    const ll = laplaceLogLikelihood(x, loc, 2);
    expect((await values(ll))[0]).toBeCloseTo(2 * (-0.5 - Math.log(4)), 5);
    tf.dispose([x, loc, ll]);
  });

  it('KL between diagonal Gaussians', async () => {
    const mu = tf.tensor2d([[1, 0]]);
    const sd = tf.tensor2d([[0.5, 2]]);
    const kl = gaussianKL(mu, sd);
    const hand = (m: number, s: number): number => 0.5 * (s * s + m * m - 1) - Math.log(s);
    expect((await values(kl))[0]).toBeCloseTo(hand(1, 0.5) + hand(0, 2), 5);
    const kl2 = gaussianKL(mu, sd, 1, 0.5); // against N(1, 0.25): first coordinate is 0
    const hand2 = Math.log(0.5 / 2) + (4 + 1) / (2 * 0.25) - 0.5;
    expect((await values(kl2))[0]).toBeCloseTo(hand2, 4);
    tf.dispose([mu, sd, kl, kl2]);
  });

  it('maskedMSE averages observed entries only; shape errors name the argument', async () => {
    const x = tf.tensor2d([[1, 100]]);
    const p = tf.tensor2d([[3, 0]]);
    const m = tf.tensor2d([[1, 0]]);
    const mse = maskedMSE(x, p, m);
    expect((await values(mse))[0]).toBeCloseTo(4, 5);
    expect(() => maskedMSE(x, p, tf.ones([2, 2]))).toThrow(ShapeError);
    tf.dispose([x, p, m, mse]);
  });

  it('stopGradient blocks the gradient and keeps the value', async () => {
    const w = tf.variable(tf.scalar(3));
    const { value, grads } = tf.variableGrads(() => tf.mul(stopGradient(w as tf.Tensor), w) as tf.Scalar, [w]);
    expect((await values(value))[0]).toBeCloseTo(9, 5);
    expect((await values(grads[w.name] as tf.Tensor))[0]).toBeCloseTo(3, 5);
    tf.dispose([value, grads, w]);
  });
});
