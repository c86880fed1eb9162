import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { inceptionScore } from '../src/index.js';

describeBackends('Inception Score', () => {
  it('= number of classes for perfectly confident, uniformly spread predictions', async () => {
    await expectNoLeaks(async () => {
      const probs = tf.tidy(() =>
        tf
          .oneHot(
            tf.tensor1d(
              Array.from({ length: 100 }, (_, i) => i % 10),
              'int32',
            ),
            10,
          )
          .toFloat(),
      );
      const { mean, std } = await inceptionScore(probs, { splits: 5 });
      expect(mean).toBeCloseTo(10, 10);
      expect(std).toBeCloseTo(0, 10);
      probs.dispose();
    });
  });

  it('= 1 for identical predictions', async () => {
    const row = [0.1, 0.2, 0.3, 0.4];
    expect((await inceptionScore(Array.from({ length: 50 }, () => row))).mean).toBeCloseTo(1, 12);
  });

  it('rejects rows that do not sum to 1 (names the row) and bad splits', async () => {
    await expect(
      inceptionScore([
        [0.5, 0.5],
        [0.5, 0.3],
      ]),
    ).rejects.toThrow(/`probs`: row 1 sums to 0\.8.*softmax/);
    await expect(inceptionScore([[0.5, 0.5]], { splits: 2 })).rejects.toThrow(/`splits`/);
    await expect(inceptionScore([[2, -1]])).rejects.toThrow(/must lie in \[0, 1\]/);
  });
});
