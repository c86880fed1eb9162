/** checkpointedScan: backprop's values and gradients (h0 and variables) with one segment's tape alive at a time. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, thrownError } from '@nde/test-utils';
import { InvalidArgumentError, checkpointedScan, type ScanStep } from '@nde/core';

const T = 7;

describeBackends('checkpointedScan', () => {
  it('equals the plain loop in value and in every gradient, for any number of segments', async () => {
    const W = tf.variable(tf.randomNormal([3, 3], 0, 0.5, 'float32', 1));
    const V = tf.variable(tf.randomNormal([3, 2], 0, 0.5, 'float32', 2));
    const xs = tf.randomNormal([T, 4, 3], 0, 1, 'float32', 3);
    const h0 = tf.randomNormal([4, 3], 0, 1, 'float32', 4);
    const weights = tf.randomNormal([T, 4, 2], 0, 1, 'float32', 5);
    // Backwards over the sequence, as the latent models' encoders run; the output reads V only.
    const step = (h: tf.Tensor, i: number, [x]: readonly tf.Tensor[]): ScanStep => {
      const xi = tf.squeeze(tf.slice(x as tf.Tensor, [T - 1 - i], [1]), [0]);
      const state = tf.tanh(tf.add(tf.matMul(h, W), xi));
      return { state, output: tf.matMul(state, V) };
    };
    const plain = (h: tf.Tensor): tf.Tensor => {
      const outs: tf.Tensor[] = [];
      let s = h;
      for (let i = 0; i < T; i++) {
        const r = step(s, i, [xs]);
        outs.push(r.output);
        s = r.state;
      }
      return tf.stack(outs);
    };
    const lossOf = (outs: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.square(outs), weights)) as tf.Scalar;
    const gradsOf = (run: (h: tf.Tensor) => tf.Tensor): { value: number; g: number[][] } => {
      const { value, grads } = tf.variableGrads(() => lossOf(run(h0)), [W, V]);
      const dh0 = tf.grad((h: tf.Tensor) => lossOf(run(h)))(h0);
      const g = [grads[W.name], grads[V.name], dh0].map((x) => Array.from((x as tf.Tensor).dataSync()));
      const v = value.dataSync()[0] as number;
      tf.dispose([value, dh0, ...Object.values(grads)]);
      return { value: v, g };
    };
    const reference = gradsOf(plain);
    for (const segments of [1, 3, T]) {
      const got = await expectNoLeaks(() => gradsOf((h) => checkpointedScan({ step, steps: T, h0: h, data: [xs], segments })));
      expect(got.value).toBeCloseTo(reference.value, 4);
      got.g.forEach((g, j) => g.forEach((v, i) => expect(v).toBeCloseTo((reference.g[j] as number[])[i] as number, 4)));
    }
    tf.dispose([W, V, xs, h0, weights]);
  });

  it('an output that is the state itself (or the step’s input) is kept, as the plain loop keeps it', async () => {
    const W = tf.variable(tf.randomNormal([2, 2], 0, 0.5, 'float32', 6));
    const h0 = tf.randomNormal([3, 2], 0, 1, 'float32', 7);
    const next = (h: tf.Tensor): tf.Tensor => tf.tanh(tf.matMul(h, W));
    for (const kind of ['next', 'input'] as const) {
      const step = (h: tf.Tensor): ScanStep => {
        const state = next(h);
        return { state, output: kind === 'next' ? state : h };
      };
      const plain = (): tf.Tensor => {
        const outs: tf.Tensor[] = [];
        let s = h0;
        for (let i = 0; i < T; i++) {
          const r = step(s);
          outs.push(r.output);
          s = r.state;
        }
        return tf.stack(outs);
      };
      const loss = (outs: tf.Tensor): tf.Scalar => tf.sum(tf.square(outs)) as tf.Scalar;
      const ref = tf.variableGrads(() => loss(plain()), [W]);
      const got = await expectNoLeaks(() => {
        const r = tf.variableGrads(() => loss(checkpointedScan({ step, steps: T, h0, segments: 3 })), [W]);
        const out = { value: r.value.dataSync()[0] as number, g: Array.from((r.grads[W.name] as tf.Tensor).dataSync()) };
        tf.dispose([r.value, ...Object.values(r.grads)]);
        return out;
      });
      expect(got.value).toBeCloseTo(ref.value.dataSync()[0] as number, 4);
      const gRef = Array.from((ref.grads[W.name] as tf.Tensor).dataSync());
      got.g.forEach((v, i) => expect(v).toBeCloseTo(gRef[i] as number, 4));
      tf.dispose([ref.value, ...Object.values(ref.grads)]);
    }
    tf.dispose([W, h0]);
  });

  it('rejects a step count or segment count that is not a positive integer', () => {
    const h0 = tf.zeros([1, 1]);
    const step = (h: tf.Tensor): ScanStep => ({ state: h, output: h });
    expect(thrownError(() => checkpointedScan({ step, steps: 0, h0 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownError(() => checkpointedScan({ step, steps: 3, h0, segments: 1.5 }))).toBeInstanceOf(InvalidArgumentError);
    h0.dispose();
  });
});
