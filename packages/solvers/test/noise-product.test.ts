/** `noiseProductTranspose` is the g-gradient of `noiseProduct` for every noise type (what hand-written SDE backward steps rely on). */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { noiseProduct, noiseProductTranspose, type NoiseType } from '../src/index.js';

const CASES: [NoiseType, number[], number[]][] = [
  ['diagonal', [5, 3], [5, 3]],
  ['scalar', [5, 3, 1], [5, 1]],
  ['general', [5, 3, 2], [5, 2]],
  ['additive', [5, 3, 4], [5, 4]],
];

describeBackends('noiseProductTranspose', () => {
  it.each(CASES)(
    '%s: equals the tape gradient of a · (g ⋅ dW) with respect to g, shaped like g; nothing leaked',
    async (noise, gShape, wShape) => {
      const g = tf.randomNormal(gShape, 0, 1, 'float32', 1);
      const dW = tf.randomNormal(wShape, 0, 1, 'float32', 2);
      const a = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
      await expectNoLeaks(async () => {
        const tape = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(noiseProduct(noise, x, dW), a)))(g);
        const hand = noiseProductTranspose(noise, a, dW);
        expect(hand.shape).toEqual(gShape);
        const err = tf.tidy(() => tf.max(tf.abs(tf.sub(hand, tape))).dataSync()[0] as number);
        expect(err).toBeLessThan(1e-6);
        tf.dispose([tape, hand]);
      });
      tf.dispose([g, dW, a]);
    },
  );
});
