/** Neural CDEs (issue #18): the classifier learns the spirals' direction, the GRU-Δt baseline (the UEA loader is @nde/data's). */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { hermiteCubicInterpolation } from '@nde/solvers';
import { Adam, GRUDeltaTClassifier, NeuralCDE, accuracy, spiralDirections } from '../src/index.js';

describeBackends('neural CDE', () => {
  it('learns which way irregularly sampled spirals turn (loss falls, accuracy > 0.8 after 50 steps), nothing leaked', async () => {
    const data = spiralDirections({ n: 32, length: 24, seed: 1 });
    const labels = tf.tensor1d(data.labels, 'int32');
    const X = hermiteCubicInterpolation(data.values, data.ts, { timeChannel: true });
    // Fixed rk4 steps of one observation interval keep the test short and identical on every backend.
    const model = new NeuralCDE({ inputChannels: X.channels, hidden: 8, width: 32, outputs: 1, solver: 'rk4', dt: data.ts[1]!, seed: 0 });
    // Clipped, as the CDE reproduction trains: unclipped Adam at this rate spikes once the loss nears
    // zero, and where the spikes fall moved with float32 rounding (the fused kernels changed it).
    const opt = new Adam({ learningRate: 3e-2, clipNorm: 1 });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 50; i++) losses.push(opt.step(() => model.loss(X, labels), model).loss);
    // Adam's moments are allocated on the first step; nothing else may stay.
    expect(tf.memory().numTensors - before).toBe(2 * model.parameters().length);
    const p = model.predict(X);
    const acc = accuracy(p, data.labels);
    p.dispose();
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(0.7 * (losses[0] as number));
    expect(acc).toBeGreaterThan(0.8);
    expect(model.lastNfe).toBeGreaterThan(0);
    await expectNoLeaks(() => {
      const q = model.predict(X);
      expect(q.shape).toEqual([32, 1]);
      q.dispose();
    });
    tf.dispose([labels, data.values]);
    X.dispose();
    opt.dispose();
    model.dispose();
  });

  it('regression head, several classes, and a path with the wrong channels', () => {
    const data = spiralDirections({ n: 8, length: 12, seed: 2 });
    const X = hermiteCubicInterpolation(data.values, data.ts, { timeChannel: true });
    const reg = new NeuralCDE({
      inputChannels: X.channels,
      hidden: 4,
      width: 8,
      outputs: 2,
      head: 'regression',
      solver: 'rk4',
      dt: 0.5,
      seed: 1,
    });
    const target = tf.zeros([8, 2]);
    const l = reg.loss(X, target);
    expect(l.shape).toEqual([]);
    expect(Number.isFinite(l.dataSync()[0])).toBe(true);
    const multi = new NeuralCDE({ inputChannels: X.channels, hidden: 4, width: 8, outputs: 3, seed: 1 });
    const p = multi.predict(X);
    const rows = p.arraySync();
    rows.forEach((r) => expect(r.reduce((a, b) => a + b)).toBeCloseTo(1, 5));
    const wrong = new NeuralCDE({ inputChannels: 5, outputs: 1 });
    expect(() => wrong.forward(X)).toThrow(ShapeError);
    expect(() => new NeuralCDE({ inputChannels: 0, outputs: 1 })).toThrow(InvalidArgumentError);
    tf.dispose([l, target, p, data.values]);
    X.dispose();
    [reg, multi, wrong].forEach((m) => m.dispose());
  });

  it('GRU-Δt baseline: shapes, masks and a falling loss', () => {
    const data = spiralDirections({ n: 32, length: 30, seed: 3 });
    const labels = tf.tensor1d(data.labels, 'int32');
    const gru = new GRUDeltaTClassifier({ channels: 2, hidden: 16, outputs: 1, seed: 0 });
    const opt = new Adam({ learningRate: 1e-2 });
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push(opt.step(() => gru.loss(data.values, data.ts, labels), gru).loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    const p = gru.predict(data.values, data.ts);
    expect(p.shape).toEqual([32, 1]);
    expect(() => gru.forward(tf.zeros([2, 30, 3]) as tf.Tensor3D, data.ts)).toThrow(ShapeError);
    tf.dispose([p, labels, data.values]);
    opt.dispose();
    gru.dispose();
  });
});
