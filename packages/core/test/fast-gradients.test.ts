/** The matMul gradient without transposed products equals tfjs's own to float32 rounding (issue #17). */
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, it } from 'vitest';
import { describeBackends, describeWebGpu, expectNoLeaks } from '@nde/test-utils';
import { setFastGradients } from '@nde/core';

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  a.forEach((v, i) => {
    num = Math.max(num, Math.abs(v - (b[i] as number)));
    den = Math.max(den, Math.abs(b[i] as number));
  });
  return num / den;
}

async function compare(shapeA: number[], shapeB: number[], ta: boolean, tb: boolean): Promise<number> {
  const a = tf.randomNormal(shapeA, 0, 1, 'float32', 1);
  const b = tf.randomNormal(shapeB, 0, 1, 'float32', 2);
  const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.sum(tf.square(tf.matMul(x, y, ta, tb)));
  setFastGradients(true);
  const fast = tf.grads(f)([a, b]);
  setFastGradients(false);
  const slow = tf.grads(f)([a, b]);
  setFastGradients(true);
  const errs: number[] = [];
  for (let i = 0; i < 2; i++) errs.push(relErr((await fast[i]!.data()) as Float32Array, (await slow[i]!.data()) as Float32Array));
  tf.dispose([a, b, ...fast, ...slow]);
  return Math.max(...errs);
}

const CASES: [string, number[], number[], boolean, boolean][] = [
  ['a·b', [7, 5], [5, 3], false, false],
  ['a·bᵀ', [7, 5], [3, 5], false, true],
  ['aᵀ·b', [5, 7], [5, 3], true, false],
  ['aᵀ·bᵀ', [5, 7], [3, 5], true, true],
  ['batched a·b', [2, 7, 5], [2, 5, 3], false, false],
  ['batched aᵀ·bᵀ', [2, 5, 7], [2, 3, 5], true, true],
];

const body = (): void => {
  afterAll(() => setFastGradients(true));
  for (const [name, sa, sb, ta, tb] of CASES) {
    it(`${name}: gradients equal tfjs's to float32 rounding, nothing leaked`, async () => {
      await expectNoLeaks(async () => {
        expect(await compare(sa, sb, ta, tb)).toBeLessThan(1e-6);
      });
    });
  }
};
describeBackends('fast matMul gradients', body);
await describeWebGpu('fast matMul gradients', body);

describeBackends('fast tanh', () => {
  it('equals tf.tanh to 3e-7 absolute, values and gradients, below and above the size switch', async () => {
    const { fastTanh } = await import('@nde/core');
    for (const n of [100, 20000]) {
      const x = tf.mul(tf.randomNormal([n], 0, 1, 'float32', 5), 3);
      await expectNoLeaks(async () => {
        const [a, b] = [fastTanh(x), tf.tanh(x)];
        const ga = tf.grad((v: tf.Tensor) => tf.sum(fastTanh(v)))(x);
        const gb = tf.grad((v: tf.Tensor) => tf.sum(tf.tanh(v)))(x);
        const maxDiff = (p: tf.Tensor, q: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0] as number);
        expect(maxDiff(a, b)).toBeLessThan(3e-7);
        expect(maxDiff(ga, gb)).toBeLessThan(1e-6);
        tf.dispose([a, b, ga, gb]);
      });
      x.dispose();
    }
  });
});

const denseBody = (): void => {
  it('sumOverRows equals tf.sum(z, 0) and denseWeightGrad equals xᵀ·dz to float32 rounding (small and large products, in > out, in < out); nothing leaked', async () => {
    const { sumOverRows, denseWeightGrad } = await import('@nde/core');
    for (const [rows, inDim, outDim] of [
      [33, 3, 2],
      [64, 2, 40],
      [64, 40, 2],
      [96, 24, 24],
      // Above the small-product switch (65 536 multiply-adds): both untransposed forms.
      [256, 64, 16],
      [256, 16, 64],
    ] as const) {
      const x = tf.randomNormal([rows, inDim], 0, 1, 'float32', 11);
      const dz = tf.randomNormal([rows, outDim], 0, 1, 'float32', 12);
      await expectNoLeaks(async () => {
        const [s, sRef] = [sumOverRows(dz), tf.sum(dz, 0)];
        const [w, wRef] = [denseWeightGrad(x, dz), tf.matMul(x, dz, true, false)];
        expect(s.shape).toEqual([outDim]);
        expect(w.shape).toEqual([inDim, outDim]);
        expect(relErr((await s.data()) as Float32Array, (await sRef.data()) as Float32Array)).toBeLessThan(1e-6);
        expect(relErr((await w.data()) as Float32Array, (await wRef.data()) as Float32Array)).toBeLessThan(1e-6);
        tf.dispose([s, sRef, w, wRef]);
      });
      tf.dispose([x, dz]);
    }
  });
};
describeBackends('dense-layer gradient pieces', denseBody);
await describeWebGpu('dense-layer gradient pieces', denseBody);
