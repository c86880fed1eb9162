import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { gaussianStats, gaussianStats64, StreamingMoments } from '../src/index.js';
import { normalRows } from './helpers.js';

describeBackends('streaming mean / covariance', () => {
  it('streaming over uneven batches equals batch statistics and a float64 reference, even with a large offset', async () => {
    const rows = normalRows(1000, 16, 1, { mean: 1000, scale: 2 });
    const ref = gaussianStats64(rows);
    await expectNoLeaks(async () => {
      const x = tf.tensor2d(rows);
      const batch = await gaussianStats(x);
      const acc = new StreamingMoments(16, { chunkSize: 97 });
      for (const [a, b] of [
        [0, 10],
        [10, 333],
        [333, 334],
        [334, 1000],
      ] as const) {
        const part = x.slice(a, b - a);
        await acc.update(part);
        part.dispose();
      }
      x.dispose();
      const stream = acc.result();
      expect(stream.count).toBe(1000);
      for (let i = 0; i < 16; i++) {
        expect(stream.mean[i]!).toBeCloseTo(batch.mean[i]!, 4);
        expect(stream.mean[i]!).toBeCloseTo(ref.mean[i]!, 3);
      }
      for (let i = 0; i < 256; i++) {
        expect(stream.covariance.data[i]!).toBeCloseTo(batch.covariance.data[i]!, 3);
        expect(Math.abs(stream.covariance.data[i]! - ref.covariance.data[i]!)).toBeLessThan(2e-3);
      }
    });
  });

  it('rejects wrong shapes and too few samples with named arguments', async () => {
    const acc = new StreamingMoments(4);
    await expect(acc.update([[1, 2, 3]])).rejects.toThrow(/`batch`: has shape \[1,3\]; expected \[b, 4\]/);
    await acc.update([[1, 2, 3, 4]]);
    expect(() => acc.result()).toThrow(/at least 2/);
    expect(() => new StreamingMoments(0)).toThrow(/`dim`/);
  });
});
