import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { energyDistance, kernelInceptionDistance, mmd, precisionRecall } from '../src/index.js';
import { normalRows } from './helpers.js';

describeBackends('MMD, KID, energy distance, precision/recall', () => {
  it('unbiased MMD² averages ≈ 0 over draws from the same distribution (Gaussian and polynomial kernels); biased is > 0', async () => {
    await expectNoLeaks(async () => {
      for (const kernel of [{ kind: 'gaussian' as const, bandwidth: 2 }, { kind: 'polynomial' as const }]) {
        const vals: number[] = [];
        let biased = 0;
        for (let s = 0; s < 20; s++) {
          const x = tf.tensor2d(normalRows(100, 3, 100 + s));
          const y = tf.tensor2d(normalRows(100, 3, 500 + s));
          vals.push(await mmd(x, y, { kernel }));
          biased += (await mmd(x, y, { kernel, unbiased: false })) / 20;
          x.dispose();
          y.dispose();
        }
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1));
        expect(Math.abs(mean)).toBeLessThan(3 * (sd / Math.sqrt(vals.length)) + 1e-6);
        expect(vals.some((v) => v < 0)).toBe(true); // an unbiased estimator must go negative sometimes
        expect(biased).toBeGreaterThan(Math.abs(mean));
      }
    });
  });

  it('MMD, KID and energy distance grow with a mean shift', async () => {
    const x = tf.tensor2d(normalRows(200, 4, 1));
    const y = tf.tensor2d(normalRows(200, 4, 2));
    const z = tf.tensor2d(normalRows(200, 4, 3, { mean: 1 }));
    await expectNoLeaks(async () => {
      expect(await mmd(x, z)).toBeGreaterThan(10 * Math.abs(await mmd(x, y)));
      const kSame = await kernelInceptionDistance(x, y, { subsets: 5, subsetSize: 100, seed: 1 });
      const kDiff = await kernelInceptionDistance(x, z, { subsets: 5, subsetSize: 100, seed: 1 });
      expect(kDiff.mean).toBeGreaterThan(kSame.mean + 5 * kDiff.std);
      expect(kSame.values).toHaveLength(5);
      const e0 = await energyDistance(x, y);
      const e1 = await energyDistance(x, z);
      expect(e0).toBeGreaterThanOrEqual(0);
      expect(e1).toBeGreaterThan(10 * e0);
    });
    await expect(kernelInceptionDistance(x, y, { subsetSize: 500 })).rejects.toThrow(/`subsetSize`/);
    [x, y, z].forEach((t) => t.dispose());
  });

  it('energy distance of 1-D point masses 0 and 1 is 2·1 − 0 − 0 = 2', async () => {
    const x = tf.zeros([5, 1]) as tf.Tensor2D;
    const y = tf.ones([5, 1]) as tf.Tensor2D;
    expect(await energyDistance(x, y)).toBeCloseTo(2, 5);
    x.dispose();
    y.dispose();
  });

  it('precision/recall/density/coverage: same set → 1; disjoint sets → 0', async () => {
    const x = tf.tensor2d(normalRows(150, 2, 7));
    const far = tf.tensor2d(normalRows(150, 2, 8, { mean: 100 }));
    await expectNoLeaks(async () => {
      const same = await precisionRecall(x, x, { k: 3 });
      expect(same.precision).toBe(1);
      expect(same.recall).toBe(1);
      expect(same.coverage).toBe(1);
      const apart = await precisionRecall(x, far, { k: 3 });
      expect(apart.precision).toBe(0);
      expect(apart.recall).toBe(0);
      expect(apart.density).toBe(0);
    });
    await expect(precisionRecall(x, far, { k: 0 })).rejects.toThrow(/`k`/);
    const bad = tf.zeros([10, 3]) as tf.Tensor2D;
    await expect(mmd(x, bad)).rejects.toThrow(/`y`: has 3 features per row, x has 2/);
    [x, far, bad].forEach((t) => t.dispose());
  });
});
