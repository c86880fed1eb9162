import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MLP, ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { Adam, Rng, clipByGlobalNorm, globalNorm, klAnnealing, loadCheckpoint, saveCheckpoint, ProgressLogger } from '../src/index.js';

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
});

describe('schedules and seeds', () => {
  it('klAnnealing rises linearly to 1', () => {
    const w = klAnnealing({ warmup: 10 });
    expect([w(0), w(5), w(10), w(50)]).toEqual([0, 0.5, 1, 1]);
    expect(klAnnealing({ warmup: 0 })(0)).toBe(1);
    expect(() => klAnnealing({ warmup: -1 })).toThrow(InvalidArgumentError);
  });

  it('Rng is reproducible and forks independent streams', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    expect([a.uniform(), a.normal(), a.nextSeed()]).toEqual([b.uniform(), b.normal(), b.nextSeed()]);
    expect(new Rng(6).uniform()).not.toBe(new Rng(5).uniform());
    expect(new Rng(1).permutation(5).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('ProgressLogger prints every k iterations', () => {
    const lines: string[] = [];
    const p = new ProgressLogger({ total: 10, every: 5, label: 't', write: (l) => lines.push(l) });
    for (let i = 0; i < 10; i++) p.update(i, { loss: 1 / (i + 1) });
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/^t 5\/10 loss 0\.2000/);
  });
});
