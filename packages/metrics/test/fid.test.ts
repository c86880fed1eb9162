import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { toMatrix64 } from '@nde/linalg';
import { fid, frechetDistance, frechetVideoDistance, gaussianStats, type GaussianStats } from '../src/index.js';
import { normalRows, spd } from './helpers.js';

const stats = (mean: number[], cov: number[][], count = 10_000): GaussianStats => ({
  count,
  mean: Float64Array.from(mean),
  covariance: toMatrix64(cov),
});

describeBackends('Fréchet distance', () => {
  it('closed forms: identical Gaussians → 0; shifted mean → |μ₁ − μ₂|²', async () => {
    const cov = spd(20, 1e6, 9);
    const mu = Array.from({ length: 20 }, (_, i) => Math.sin(i));
    const same = await frechetDistance(stats(mu, cov), stats(mu, cov));
    expect(same.distance).toBeLessThan(1e-4);
    const shift = mu.map((m, i) => m + (i % 3) - 1);
    const shifted = await frechetDistance(stats(mu, cov), stats(shift, cov));
    const expected = mu.reduce((s, m, i) => s + (m - shift[i]!) ** 2, 0);
    expect(shifted.distance).toBeCloseTo(expected, 6);
    // scaled isotropic covariances: d·(σ₁ − σ₂)²
    const eye = (s: number) => Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i === j ? s * s : 0)));
    const z = [0, 0, 0, 0, 0];
    expect((await frechetDistance(stats(z, eye(1)), stats(z, eye(3)))).distance).toBeCloseTo(5 * 4, 8);
  });

  it('fid on features: x vs x + δ is |δ|², and no tensors leak', async () => {
    const rows = normalRows(600, 8, 2);
    await expectNoLeaks(async () => {
      const x = tf.tensor2d(rows);
      const delta = tf.tensor1d([1, 0, 0, 2, 0, 0, 0, 0.5]);
      const y = x.add(delta) as tf.Tensor2D;
      expect(await fid(x, x)).toBeLessThan(1e-4);
      expect(await fid(x, y)).toBeCloseTo(1 + 4 + 0.25, 3);
      const v = x.reshape([100, 6, 8]);
      const w = v.add(delta);
      expect(await frechetVideoDistance(v, w)).toBeCloseTo(5.25, 3);
      [x, delta, y, v, w].forEach((t) => t.dispose());
    });
  });

  it('clear errors: dimension mismatch, too few samples for the dimension', async () => {
    const a = stats(
      [0, 0],
      [
        [1, 0],
        [0, 1],
      ],
    );
    const b = stats(
      [0, 0, 0],
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    );
    await expect(frechetDistance(a, b)).rejects.toThrow(/`b`: has dimension 3, a has 2/);
    const x = tf.tensor2d(normalRows(10, 32, 3));
    await expect(fid(x, x)).rejects.toThrow(/10 samples for 32-dimensional features.*at least 33 samples/);
    expect(await fid(x, x, { allowSingular: true })).toBeLessThan(1e-3);
    const s = await gaussianStats(x);
    expect(s.count).toBe(10);
    x.dispose();
    const bad = tf.zeros([4]);
    await expect(fid(bad as tf.Tensor2D, bad as tf.Tensor2D)).rejects.toThrow(/expected features \[n, d\]/);
    bad.dispose();
  });
});
