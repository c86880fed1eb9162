import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { Linear, MLP, ShapeError } from '@nde/core';

describeBackends('modules', () => {
  it('Linear.fromTorch matches x @ W^T + b', async () => {
    const layer = Linear.fromTorch(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [0.5, -0.5, 1],
    );
    await expectNoLeaks(async () => {
      const x = tf.tensor2d([[1, -1]]);
      const y = layer.apply(x);
      expect(await values(y)).toEqual([-0.5, -1.5, 0]);
      tf.dispose([x, y]);
    });
    expect(() => layer.apply(tf.zeros([1, 3]))).toThrow(ShapeError);
    layer.dispose();
  });

  it('MLP names its parameters and is deterministic under a seed', async () => {
    const a = new MLP({ sizes: [2, 8, 3], seed: 5 });
    const b = new MLP({ sizes: [2, 8, 3], seed: 5 });
    expect(Object.keys(a.namedParameters())).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
    const x = tf.ones([4, 2]);
    const ya = a.apply(x);
    const yb = b.apply(x);
    expect(await values(ya)).toEqual(await values(yb));
    expect(ya.shape).toEqual([4, 3]);
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
  });
});
