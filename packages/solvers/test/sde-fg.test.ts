/** `driftAndDiffusion` / sdeint's `fg`: Euler calls it once per step instead of f and g, with the same result. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { BrownianPath } from '@nde/brownian';
import { ShapeError } from '@nde/core';
import { describeBackends, values } from '@nde/test-utils';
import { sdeint } from '../src/index.js';

describeBackends('sdeint fg (drift and diffusion in one call)', () => {
  it('Euler uses fg once per step and matches f and g', async () => {
    const f = (_t: number, y: tf.Tensor): tf.Tensor => tf.mul(tf.sin(y), 0.5);
    const g = (_t: number, y: tf.Tensor): tf.Tensor => tf.sigmoid(y);
    let calls = 0;
    const fg = (t: number, y: tf.Tensor): [tf.Tensor, tf.Tensor] => (calls++, [f(t, y), g(t, y)]);
    const y0 = tf.randomNormal([16, 3], 0, 1, 'float32', 0);
    const bm = (): BrownianPath => new BrownianPath({ t0: 0, t1: 1, shape: [16, 3], key: 3 });
    const a = sdeint({ f, g }, y0, [0, 0.5, 1], { dt: 0.1, bm: bm() });
    const b = sdeint({ f: () => tf.zeros([16, 3]), g: () => tf.zeros([16, 3]), fg }, y0, [0, 0.5, 1], { dt: 0.1, bm: bm() });
    expect(calls).toBe(10);
    expect(await values(b)).toEqual(await values(a));
    expect(() => sdeint({ f, g, fg: (t, y) => [f(t, y), tf.zeros([16, 2])] }, y0, [0, 1], { dt: 0.5, bm: bm() })).toThrow(ShapeError);
    tf.dispose([a, b, y0]);
  });
});
