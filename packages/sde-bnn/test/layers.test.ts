import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { ConvWeightField, MLPWeightField, WeightLayout, conv3x3, im2col3x3, spaceToDepth2 } from '../src/index.js';

describeBackends('layers', () => {
  it('conv3x3 (conv2d forward, custom gradients) equals the im2col matmul, value and gradients', async () => {
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1);
    const K = tf.randomNormal([27, 4], 0, 1, 'float32', 2);
    const dy = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 3);
    const ref = (a: tf.Tensor, k: tf.Tensor): tf.Tensor =>
      tf.reshape(tf.matMul(tf.reshape(im2col3x3(a), [-1, 27]) as tf.Tensor2D, k as tf.Tensor2D), [2, 5, 5, 4]);
    const f = (a: tf.Tensor, k: tf.Tensor): tf.Tensor => tf.sum(tf.mul(conv3x3(a, k), dy));
    const g = (a: tf.Tensor, k: tf.Tensor): tf.Tensor => tf.sum(tf.mul(ref(a, k), dy));
    await expectNoLeaks(async () => {
      const [gx, gk] = tf.grads(f)([x, K]);
      const [rx, rk] = tf.grads(g)([x, K]);
      const pairs: [tf.Tensor, tf.Tensor][] = [
        [tf.tidy(() => conv3x3(x, K)), tf.tidy(() => ref(x, K))],
        [gx as tf.Tensor, rx as tf.Tensor],
        [gk as tf.Tensor, rk as tf.Tensor],
      ];
      for (const [a, b] of pairs) {
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
        const d = await values(diff);
        diff.dispose();
        expect(d[0]).toBeLessThan(1e-4);
      }
      tf.dispose(pairs.flat());
    });
    tf.dispose([x, K, dy]);
  });

  it('weight layouts and fields have the documented sizes and shapes', () => {
    const mlp = new MLPWeightField({ features: 8, width: 16 });
    expect(mlp.layout.size).toBe(2 * 8 * 16 + 16 + 8);
    const conv = new ConvWeightField({ height: 7, width: 7, channels: 8 });
    expect(conv.layout.size).toBe(9 * 64 + 8);
    tf.tidy(() => {
      expect(mlp.apply(0, tf.zeros([2, 3 * 8]), tf.zeros([2, mlp.layout.size])).shape).toEqual([2, 24]);
      expect(conv.apply(0, tf.zeros([2, 2 * 7 * 7 * 8]), tf.ones([2, conv.layout.size])).shape).toEqual([2, 784]);
      expect(spaceToDepth2(tf.zeros([1, 28, 28, 1])).shape).toEqual([1, 14, 14, 4]);
    });
    tf.tidy(() => {
      expect(() => new WeightLayout([{ name: 'a', shape: [2], fanIn: 2 }]).split(tf.zeros([1, 3]))).toThrow(ShapeError);
    });
  });
});
