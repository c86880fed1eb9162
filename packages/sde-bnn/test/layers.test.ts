import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ShapeError } from '@nde/core';
import { describeBackends } from '@nde/test-utils';
import { ConvWeightField, MLPWeightField, WeightLayout, spaceToDepth2 } from '../src/index.js';

describeBackends('layers', () => {
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
