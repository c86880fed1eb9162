/**
 * `addMany`: tf.addN on WebGPU with 8 or more inputs returns a stale buffer (the pipeline exceeds
 * WebGPU's 8 storage buffers and Dawn only logs it); addMany sums in groups there. Same numbers
 * everywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, describeWebGpu } from '@nde/test-utils';
import { ShapeError, addMany } from '@nde/core';

const check = (): void => {
  it.each([1, 2, 7, 8, 9, 50])('the sum of %i tensors 1…n is n(n+1)/2 in every element, no leaks', async (n) => {
    const xs = Array.from({ length: n }, (_, i) => tf.fill([3, 5], i + 1));
    const before = tf.memory().numTensors;
    const s = addMany(xs);
    expect(Array.from(await s.data())).toEqual(new Array<number>(15).fill((n * (n + 1)) / 2));
    if (n > 1) s.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xs);
  });
  it('no tensors → ShapeError naming parts', () => {
    expect(() => addMany([])).toThrow(ShapeError);
  });
};

describeBackends('addMany', check);
await describeWebGpu('addMany', check);
