/** wasm's Identity shares its input's buffer (issue #17): no copy per saved activation, same values, nothing leaks. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { setZeroCopyIdentity } from '@nde/core';

const buffers = (): number => tf.backend().numDataIds();

describeBackends('zero-copy Identity', (backend) => {
  afterAll(() => setZeroCopyIdentity(true));

  it('a clone shares the buffer on wasm (and copies there when switched off); values and lifetimes are unchanged', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const before = buffers();
    const y = tf.clone(x);
    if (backend === 'wasm') {
      expect(y.dataId).toBe(x.dataId);
      expect(buffers()).toBe(before);
      setZeroCopyIdentity(false);
      const z = tf.clone(x);
      expect(z.dataId).not.toBe(x.dataId);
      expect(buffers()).toBe(before + 1);
      z.dispose();
      setZeroCopyIdentity(true);
    }
    x.dispose();
    // The clone outlives its source.
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(buffers()).toBe(before - 1);
  });

  it('gradients are the same with and without sharing, and free every buffer', async () => {
    const w = tf.variable(tf.randomNormal([6, 4], 0, 1, 'float32', 3));
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 4);
    const loss = (): tf.Scalar => tf.sum(tf.square(tf.tanh(tf.matMul(x, w)))) as tf.Scalar;
    const run = async (on: boolean): Promise<Float32Array> => {
      setZeroCopyIdentity(on);
      const before = buffers();
      const { value, grads } = tf.variableGrads(loss);
      const g = (await (grads[w.name] as tf.Tensor).data()) as Float32Array;
      tf.dispose([value, ...Object.values(grads)]);
      expect(buffers()).toBe(before);
      return g;
    };
    const shared = await expectNoLeaks(() => run(true));
    const copied = await run(false);
    setZeroCopyIdentity(true);
    expect(Array.from(shared)).toEqual(Array.from(copied));
    tf.dispose([w, x]);
  });
});
