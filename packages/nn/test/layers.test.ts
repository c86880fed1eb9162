import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { Conv3x3, GRUCell, conv2d, conv2dTranspose, conv3x3, im2col3x3, stopGradient } from '../src/index.js';

/** im2col reference of a 3×3 'same' convolution with the filter as a [9C, O] matrix. */
function im2colConv(x: tf.Tensor4D, K: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.matMul(im2col3x3(x).reshape([n * h * w, 9 * c]), K).reshape([n, h, w, K.shape[1]]);
}

const maxDiff = async (a: tf.Tensor, b: tf.Tensor): Promise<number> => {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const [v] = await values(d);
  d.dispose();
  return v as number;
};

describeBackends('layers', (backend) => {
  it('GRUCell: the default init is seed 0 (same weights every time), and the equations are nn.GRUCell’s', async () => {
    const a = new GRUCell({ inputSize: 3, hiddenSize: 4 });
    const b = new GRUCell({ inputSize: 3, hiddenSize: 4 });
    const c = new GRUCell({ inputSize: 3, hiddenSize: 4, seed: 0 });
    const d = new GRUCell({ inputSize: 3, hiddenSize: 4, seed: 1 });
    for (const [name, v] of Object.entries(a.namedParameters())) {
      expect(await values(b.namedParameters()[name] as tf.Tensor)).toEqual(await values(v));
      expect(await values(c.namedParameters()[name] as tf.Tensor)).toEqual(await values(v));
    }
    expect(await values(d.namedParameters()['input.weight'] as tf.Tensor)).not.toEqual(
      await values(a.namedParameters()['input.weight'] as tf.Tensor),
    );
    // h' = (1 − z) n + z h with zero weights and biases: r = z = ½, n = tanh(0) = 0 → h' = h / 2
    a.parameters().forEach((v) => v.assign(tf.zerosLike(v)));
    const h = tf.tensor2d([[1, -2, 0.5, 4]]);
    const x = tf.ones([1, 3]);
    const out = a.apply(h, x);
    expect(await values(out)).toEqual([0.5, -1, 0.25, 2]);
    expect(() => new GRUCell({ inputSize: 0, hiddenSize: 4 })).toThrow(/inputSize/);
    tf.dispose([h, x, out]);
    [a, b, c, d].forEach((m) => m.dispose());
  });

  it('stopGradient: identity forward, zero gradient (d/dw Σ stop(w)·w = w, not 2w)', async () => {
    const w = tf.tensor1d([1, -2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), v)))(w);
    expect(await values(g)).toEqual([1, -2, 3]);
    tf.dispose([w, g]);
  });

  it('conv3x3 and Conv3x3 equal the im2col matmul in value and in both gradients; nothing leaks', async () => {
    const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const K = tf.randomNormal([27, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const dy = tf.randomNormal([2, 6, 5, 4], 0, 1, 'float32', 3);
    await expectNoLeaks(async () => {
      const f = (a: tf.Tensor, k: tf.Tensor): tf.Tensor => tf.sum(tf.mul(conv3x3(a, k), dy));
      const r = (a: tf.Tensor, k: tf.Tensor): tf.Tensor => tf.sum(tf.mul(im2colConv(a as tf.Tensor4D, k as tf.Tensor2D), dy));
      const [gx, gk] = tf.grads(f)([x, K]);
      const [rx, rk] = tf.grads(r)([x, K]);
      const y = conv3x3(x, K);
      const ry = tf.tidy(() => im2colConv(x, K));
      expect(await maxDiff(y, ry)).toBeLessThan(1e-4);
      expect(await maxDiff(gx as tf.Tensor, rx as tf.Tensor)).toBeLessThan(1e-4);
      expect(await maxDiff(gk as tf.Tensor, rk as tf.Tensor)).toBeLessThan(1e-4);
      tf.dispose([gx, gk, rx, rk, y, ry]);
    });
    const conv = new Conv3x3({ inChannels: 3, outChannels: 4, seed: 0 });
    const y = conv.apply(x);
    const ref = tf.tidy(() => tf.add(im2colConv(x, conv.linear.weight as tf.Tensor2D), conv.linear.bias as tf.Tensor));
    expect(await maxDiff(y, ref)).toBeLessThan(1e-5);
    expect(Object.keys(conv.namedParameters()).sort()).toEqual(['linear.bias', 'linear.weight']);
    expect(() => conv3x3(x, tf.zeros([26, 4]))).toThrow(ShapeError);
    tf.dispose([x, K, dy, y, ref]);
    conv.dispose();
  });

  it('conv2d / conv2dTranspose (4×4, stride 2): tf values forward; gradients equal tfjs’s built-in ones (cpu)', async () => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const f = tf.randomNormal([4, 4, 3, 5], 0, 1, 'float32', 5) as tf.Tensor4D;
    const up = tf.randomNormal([4, 4, 3, 5], 0, 1, 'float32', 6) as tf.Tensor4D; // [kh, kw, out 3, in 5]
    const z = tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 7) as tf.Tensor4D;
    const y = conv2d(x, f, 2);
    const t = conv2dTranspose(z, up, [2, 8, 8, 3], 2);
    expect(y.shape).toEqual([2, 4, 4, 5]);
    expect(t.shape).toEqual([2, 8, 8, 3]);
    const tfy = tf.conv2d(x, f, 2, 'same');
    const tft = tf.conv2dTranspose(z, up, [2, 8, 8, 3], 2, 'same');
    expect(await maxDiff(y, tfy)).toBe(0);
    expect(await maxDiff(t, tft)).toBe(0);
    // gradients exist on every backend (wasm has no Conv2DBackpropFilter kernel)
    const [gx, gf] = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.square(conv2d(a, k, 2))))([x, f]);
    const [gz, gu] = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.square(conv2dTranspose(a, k, [2, 8, 8, 3], 2))))([z, up]);
    if (backend === 'cpu') {
      const [rx, rf] = tf.grads((a: tf.Tensor, k: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 2, 'same'))),
      )([x, f]);
      const [rz, ru] = tf.grads((a: tf.Tensor, k: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, k as tf.Tensor4D, [2, 8, 8, 3], 2, 'same'))),
      )([z, up]);
      expect(await maxDiff(gx as tf.Tensor, rx as tf.Tensor)).toBeLessThan(1e-3);
      expect(await maxDiff(gf as tf.Tensor, rf as tf.Tensor)).toBeLessThan(1e-3);
      expect(await maxDiff(gz as tf.Tensor, rz as tf.Tensor)).toBeLessThan(1e-3);
      expect(await maxDiff(gu as tf.Tensor, ru as tf.Tensor)).toBeLessThan(1e-3);
      tf.dispose([rx, rf, rz, ru]);
    }
    expect(gf?.shape).toEqual([4, 4, 3, 5]);
    expect(gu?.shape).toEqual([4, 4, 3, 5]);
    tf.dispose([x, f, up, z, y, t, tfy, tft, gx, gf, gz, gu]);
  });
});
