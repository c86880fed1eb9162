import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, UnknownMethodError } from '@nde/core';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { CNF, ConcatSquashMLP, LinearVectorField, divergence, probe, standardNormalLogProb } from '../src/index.js';

/** e^{A} by its Taylor series (float64; A small). */
function expm(a: number[][]): number[][] {
  const n = a.length;
  let term: number[][] = a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0)));
  const out = term.map((r) => [...r]);
  for (let k = 1; k < 40; k++) {
    term = term.map((row) => a[0]!.map((_, j) => row.reduce((s, v, m) => s + (v * a[m]![j]!) / k, 0)));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i]![j]! += term[i]![j]!;
  }
  return out;
}

describeBackends('CNF', () => {
  it('log-density of a linear flow matches the closed-form Gaussian to 1e-3', async () => {
    await expectNoLeaks(async () => {
      const A = [
        [-0.5, 0.3, 0.1],
        [0.1, 0.4, -0.2],
        [0.0, 0.2, -0.1],
      ];
      const T = 0.8;
      const aT = A.map((r) => r.map((v) => v * T));
      const E = expm(aT);
      const trA = A[0]![0]! + A[1]![1]! + A[2]![2]!;
      const xs = [
        [0.3, -0.2, 0.5],
        [1, 1, -1],
        [-1.5, 0.2, 0.7],
        [0, 0, 0],
      ];
      // z = e^{AT} x; log p(x) = log N(z) + T tr A
      const expected = xs.map((x) => {
        const z = E.map((row) => row.reduce((s, v, j) => s + v * x[j]!, 0));
        return -0.5 * z.reduce((s, v) => s + v * v, 0) - 1.5 * Math.log(2 * Math.PI) + T * trA;
      });
      const a = tf.tensor2d(A);
      const field = new LinearVectorField(a);
      const cnf = new CNF({ field, T, trace: 'exact', rtol: 1e-7, atol: 1e-7 });
      const x = tf.tensor2d(xs);
      const lp = cnf.logProb(x);
      const got = Array.from(await lp.data());
      got.forEach((g, i) => expect(Math.abs(g - expected[i]!)).toBeLessThan(1e-3));
      expect(cnf.stats.nfeForward).toBeGreaterThan(0);
      tf.dispose([a, x, lp]);
      field.dispose();
    });
  });

  it("Hutchinson's estimate is unbiased: the mean over many probes is within 3 SE of the exact trace", async () => {
    const field = new ConcatSquashMLP({ dim: 3, hidden: [16, 16], activation: 'softplus', seed: 4 });
    for (const noise of ['gaussian', 'rademacher'] as const) {
      await expectNoLeaks(async () => {
        const z0 = tf.tensor2d([[0.3, -0.7, 1.1]]);
        const ex = divergence(field, 0.2, z0, 'exact');
        const exact = (await ex.div.data())[0]!;
        tf.dispose([ex.f, ex.div, ex.jacFrob]);
        const probes = 4000;
        const z = tf.tile(z0, [probes, 1]);
        const eps = probe([probes, 3], noise, 11);
        const r = divergence(field, 0.2, z, 'hutchinson', eps);
        const v = Array.from(await r.div.data());
        const mean = v.reduce((a, b) => a + b, 0) / probes;
        const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (probes - 1));
        expect(Math.abs(mean - exact)).toBeLessThan(3 * (sd / Math.sqrt(probes)) + 1e-6);
        tf.dispose([z0, z, eps, r.f, r.div, r.jacFrob]);
      });
    }
    field.dispose();
  });

  it('change of variables is consistent under sample → logProb', async () => {
    const field = new ConcatSquashMLP({ dim: 2, hidden: [32, 32], seed: 7 });
    const cnf = new CNF({ field, T: 0.5, rtol: 1e-6, atol: 1e-6, seed: 3 });
    await expectNoLeaks(async () => {
      const { x, logProb } = cnf.sample(64);
      const lp = cnf.logProb(x);
      const a = await logProb.data();
      const b = await lp.data();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(2e-3);
      tf.dispose([x, logProb, lp]);
    });
    field.dispose();
  });

  it('gradients of the trace (forward-mode JVP) match finite differences', async () => {
    const field = new ConcatSquashMLP({ dim: 2, hidden: [8], seed: 3 });
    const z = tf.tensor2d([
      [0.4, -0.3],
      [1.2, 0.5],
    ]);
    const L = (): tf.Scalar =>
      tf.tidy(() => {
        const r = divergence(field, 0.3, z, 'exact');
        return tf.sum(r.div) as tf.Scalar;
      });
    const w = field.layers[0]!.layer.weight;
    const { value, grads } = tf.variableGrads(L, [w]);
    const g = (await grads[w.name]!.data())[1]!;
    const wv = w.arraySync() as number[][];
    const h = 1e-2;
    const at = async (delta: number): Promise<number> => {
      const m = wv.map((r) => [...r]);
      m[0]![1]! += delta;
      const t = tf.tensor2d(m);
      w.assign(t);
      t.dispose();
      const l = L();
      const out = (await l.data())[0]!;
      l.dispose();
      return out;
    };
    const fd = ((await at(h)) - (await at(-h))) / (2 * h);
    expect(Math.abs(fd - g)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    tf.dispose([z, value, grads[w.name]!]);
    field.dispose();
  });

  it('a training step lowers the loss and reports NFE; regularisers integrate', async () => {
    const field = new ConcatSquashMLP({ dim: 2, hidden: [16, 16], seed: 2 });
    const cnf = new CNF({ field, T: 0.5, rtol: 1e-3, atol: 1e-4, regularization: { kinetic: 0.01, jacobianFrobenius: 0.01 } });
    const x = tf.add(tf.mul(tf.randomNormal([64, 2], 0, 1, 'float32', 1), 0.3), 1);
    const opt = tf.train.adam(1e-2);
    const first = cnf.trainStep(opt, x);
    let last = first;
    for (let i = 0; i < 6; i++) last = cnf.trainStep(opt, x);
    expect(last).toBeLessThan(first);
    expect(cnf.stats.nfeForward).toBeGreaterThan(0);
    expect(cnf.stats.nfeBackward).toBe(0);
    const r = cnf.forward(x);
    expect((await r.kinetic.mean().data())[0]).toBeGreaterThan(0);
    expect((await r.jacobianFrobenius.mean().data())[0]).toBeGreaterThan(0);
    tf.dispose([x, r.z, r.deltaLogp, r.kinetic, r.jacobianFrobenius]);
    opt.dispose();
    field.dispose();
  });

  it('rejects bad shapes and arguments with typed errors', () => {
    const field = new ConcatSquashMLP({ dim: 2, hidden: [4], seed: 0 });
    const cnf = new CNF({ field });
    const bad = tf.zeros([3, 5]);
    expect(() => cnf.logProb(bad)).toThrow(ShapeError);
    expect(() => cnf.sample(0)).toThrow(InvalidArgumentError);
    expect(() => new CNF({ field, T: -1 })).toThrow(InvalidArgumentError);
    expect(() => divergence(field, 0, tf.zeros([2, 2]), 'hutchinson')).toThrow(InvalidArgumentError);
    expect(() => divergence(field, 0, tf.zeros([2, 2]), 'bogus' as never)).toThrow(UnknownMethodError);
    expect(() => probe([2, 2], 'cauchy' as never, 0)).toThrow(UnknownMethodError);
    expect(() => new ConcatSquashMLP({ dim: 0, hidden: [4] })).toThrow(InvalidArgumentError);
    bad.dispose();
    field.dispose();
    const z = tf.zeros([2, 3]);
    const lp = standardNormalLogProb(z);
    expect(Math.abs(lp.dataSync()[0]! + 1.5 * Math.log(2 * Math.PI))).toBeLessThan(1e-5);
    tf.dispose([z, lp]);
  });
});
