import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, MLP, ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import {
  Adam,
  CLIP_EPSILON,
  Optimizer,
  clipByGlobalNorm,
  clipScale,
  globalNorm,
  loadCheckpoint,
  saveCheckpoint,
  type OptimizerConfig,
} from '../src/index.js';

describeBackends('training helpers', () => {
  it('Adam minimises a quadratic, clips, and leaks nothing per step', async () => {
    const mlp = new MLP({ sizes: [2, 8, 1], seed: 1 });
    const x = tf.tensor2d([
      [1, 2],
      [3, -1],
      [0, 0.5],
    ]);
    const y = tf.tensor2d([[1], [-1], [0.5]]);
    const opt = new Adam({ learningRate: 0.05, clipNorm: 1 });
    const loss = (): tf.Scalar => tf.mean(tf.square(tf.sub(mlp.apply(x), y)));
    const first = opt.step(loss, mlp);
    await expectNoLeaks(() => {
      for (let i = 0; i < 100; i++) opt.step(loss, mlp);
    });
    const last = opt.step(loss, mlp);
    expect(last.loss).toBeLessThan(first.loss * 0.1);
    expect(opt.iterations).toBe(102);
    opt.dispose();
    mlp.dispose();
    tf.dispose([x, y]);
  });

  it('clipByGlobalNorm rescales to the max norm', async () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
    expect(globalNorm(g)).toBeCloseTo(5, 5);
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(await values(grads.a as tf.Tensor)).toEqual([expect.closeTo(0.6, 5), 0]);
    expect(globalNorm(grads)).toBeCloseTo(1, 4);
    tf.dispose([g, grads]);
  });

  it('saveCheckpoint/loadCheckpoint round-trip through the file system', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nde-ckpt-'));
    try {
      const a = new MLP({ sizes: [3, 5, 2], seed: 3 });
      const b = new MLP({ sizes: [3, 5, 2], seed: 4 });
      await saveCheckpoint(a, `file://${dir}`, { iteration: 7, note: 'x' });
      const before = tf.memory().numTensors;
      const { metadata } = await loadCheckpoint(b, `file://${dir}`);
      expect(tf.memory().numTensors).toBe(before);
      expect(metadata).toEqual({ iteration: 7, note: 'x' });
      for (const [name, v] of Object.entries(a.namedParameters())) {
        expect(await values(b.namedParameters()[name] as tf.Tensor)).toEqual(await values(v));
      }
      const c = new MLP({ sizes: [3, 6, 2], seed: 4 });
      await expect(loadCheckpoint(c, `file://${dir}`)).rejects.toBeInstanceOf(ShapeError);
      [a, b, c].forEach((m) => m.dispose());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('clipping is min(1, maxNorm / (‖g‖ + 1e-6)) on every gradient (closed form, float32 products)', async () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) };
    const scale = 1 / (5 + CLIP_EPSILON);
    expect(clipScale(5, 1)).toBe(scale);
    expect(clipScale(0.5, 1)).toBe(1);
    expect(clipScale(1, 1)).toBe(1 / (1 + 1e-6));
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm).toBe(5);
    expect(await values(grads.a as tf.Tensor)).toEqual([Math.fround(3 * Math.fround(scale)), 0]);
    expect(await values(grads.b as tf.Tensor)).toEqual([0, Math.fround(4 * Math.fround(scale))]);
    const small = clipByGlobalNorm(g, 10);
    expect(await values(small.grads.b as tf.Tensor)).toEqual([0, 4]);
    expect(() => clipByGlobalNorm(g, 0)).toThrow(InvalidArgumentError);
    tf.dispose([g, grads, small.grads]);
  });

  it("Adam's update is tf.train.adam's, bit for bit, and the step's clipping matches clipByGlobalNorm", async () => {
    const a = new MLP({ sizes: [2, 6, 1], seed: 2 });
    const b = new MLP({ sizes: [2, 6, 1], seed: 2 });
    const x = tf.tensor2d([
      [1, 2],
      [-3, 0.5],
    ]);
    const lossOf = (m: MLP) => (): tf.Scalar => tf.mean(tf.square(m.apply(x)));
    const ours = new Optimizer({ kind: 'adam', learningRate: 0.01 });
    const theirs = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    for (let i = 0; i < 5; i++) {
      ours.step(lossOf(a), a);
      theirs.minimize(lossOf(b), false, b.parameters());
    }
    for (const [name, v] of Object.entries(a.namedParameters())) {
      expect(await values(v)).toEqual(await values(b.namedParameters()[name] as tf.Tensor));
    }
    ours.dispose();
    theirs.dispose();
    [a, b].forEach((m) => m.dispose());
    x.dispose();
  });

  const rules: OptimizerConfig[] = [
    { kind: 'adam', learningRate: 0.02, clipNorm: 0.5 },
    { kind: 'rmsprop', learningRate: 0.01, alpha: 0.9, clipNorm: 0.5 },
  ];
  for (const config of rules) {
    it(`checkpoint round-trip (${config.kind}): a resumed step equals the uninterrupted one bit for bit`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nde-nn-resume-'));
      try {
        const x = tf.randomNormal([8, 3], 0, 1, 'float32', 11);
        const y = tf.randomNormal([8, 2], 0, 1, 'float32', 12);
        const lossOf = (m: MLP) => (): tf.Scalar => tf.mean(tf.square(tf.sub(m.apply(x), y)));
        const a = new MLP({ sizes: [3, 8, 2], seed: 5 });
        const optA = new Optimizer(config);
        for (let i = 0; i < 3; i++) optA.step(lossOf(a), a);
        await saveCheckpoint(a, `file://${dir}`, { iteration: 3 }, { optimizer: optA });
        for (let i = 0; i < 2; i++) optA.step(lossOf(a), a);

        const b = new MLP({ sizes: [3, 8, 2], seed: 99 }); // other weights, fresh optimizer
        const optB = new Optimizer(config);
        const before = tf.memory().numTensors;
        const { metadata } = await loadCheckpoint(b, `file://${dir}`, { optimizer: optB });
        expect(metadata).toEqual({ iteration: 3 });
        expect(optB.iterations).toBe(3);
        expect(tf.memory().numTensors).toBeGreaterThanOrEqual(before); // optimizer slots were created
        for (let i = 0; i < 2; i++) optB.step(lossOf(b), b);
        expect(optB.iterations).toBe(optA.iterations);
        for (const [name, v] of Object.entries(a.namedParameters())) {
          expect(await values(b.namedParameters()[name] as tf.Tensor)).toEqual(await values(v));
        }
        // Without restoring the optimizer the same two steps differ (the state matters).
        const c = new MLP({ sizes: [3, 8, 2], seed: 99 });
        const optC = new Optimizer(config);
        await loadCheckpoint(c, `file://${dir}`);
        for (let i = 0; i < 2; i++) optC.step(lossOf(c), c);
        const w = a.namedParameters()['layers.0.weight'] as tf.Tensor;
        expect(await values(c.namedParameters()['layers.0.weight'] as tf.Tensor)).not.toEqual(await values(w));
        // A checkpoint of the other rule is refused.
        const other = new Optimizer(config.kind === 'adam' ? { kind: 'rmsprop', learningRate: 0.1 } : { kind: 'adam' });
        await expect(loadCheckpoint(c, `file://${dir}`, { optimizer: other })).rejects.toThrow(InvalidArgumentError);
        [optA, optB, optC, other].forEach((o) => o.dispose());
        [a, b, c].forEach((m) => m.dispose());
        tf.dispose([x, y]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
