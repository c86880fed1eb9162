/**
 * The "Adding a layer" recipe of CONTRIBUTING.md, step by step, with a small layer defined here:
 * y = σ(x Wg + bg) ⊙ (x W + b).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { BaseModule, Linear, ShapeError, assertPositiveInteger, collectParameters } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { Optimizer, loadCheckpoint, saveCheckpoint } from '../src/index.js';

/** Options of {@link GatedLinear}. */
interface GatedLinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Step 3: a seed with a fixed default. */
  seed?: number;
}

/** Step 2: a Module that owns its variables, with stable parameter names. */
class GatedLinear extends BaseModule {
  readonly value: Linear;
  readonly gate: Linear;
  readonly inFeatures: number;
  constructor(o: GatedLinearOptions) {
    super();
    assertPositiveInteger('inFeatures', o.inFeatures);
    assertPositiveInteger('outFeatures', o.outFeatures);
    const seed = o.seed ?? 0;
    this.inFeatures = o.inFeatures;
    this.value = new Linear({ inFeatures: o.inFeatures, outFeatures: o.outFeatures, seed });
    this.gate = new Linear({ inFeatures: o.inFeatures, outFeatures: o.outFeatures, seed: seed + 1 });
  }
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ value: this.value, gate: this.gate });
  }
  /** Step 4: forward in tf.tidy, a new tensor for the caller. */
  apply(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) throw new ShapeError('x', `must be [n, ${this.inFeatures}] (got [${x.shape}]).`);
    return tf.tidy(() => tf.mul(tf.sigmoid(this.gate.apply(x)), this.value.apply(x)));
  }
}

// Step 6: every backend, everything seeded.
describeBackends('recipe: adding a layer', () => {
  it('seeded by default, names stable, values match the closed form, sizes checked', async () => {
    const a = new GatedLinear({ inFeatures: 3, outFeatures: 2 });
    const b = new GatedLinear({ inFeatures: 3, outFeatures: 2 });
    expect(Object.keys(a.namedParameters()).sort()).toEqual(['gate.bias', 'gate.weight', 'value.bias', 'value.weight']);
    expect(await values(a.value.weight)).toEqual(await values(b.value.weight));
    // zero gate → σ(0) = ½: y = ½ (x W + b)
    a.gate.parameters().forEach((v) => v.assign(tf.zerosLike(v)));
    a.value.weight.assign(
      tf.tensor2d([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
    );
    (a.value.bias as tf.Variable).assign(tf.tensor1d([0, -1]));
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = a.apply(x);
    expect(await values(y)).toEqual([2, 2]); // ½·[1 + 3, 2 + 3 − 1]
    expect(() => a.apply(tf.zeros([1, 4]))).toThrow(ShapeError);
    expect(() => new GatedLinear({ inFeatures: 0, outFeatures: 2 })).toThrow(/inFeatures/);
    tf.dispose([x, y]);
    [a, b].forEach((m) => m.dispose());
  });

  it('trains with @nde/nn without leaks; a resumed step equals the uninterrupted one bit for bit', async () => {
    const x = tf.randomNormal([16, 3], 0, 1, 'float32', 1);
    const t = tf.randomNormal([16, 2], 0, 1, 'float32', 2);
    const loss = (m: GatedLinear) => (): tf.Scalar => tf.mean(tf.square(tf.sub(m.apply(x), t)));
    const layer = new GatedLinear({ inFeatures: 3, outFeatures: 2, seed: 4 });
    const opt = new Optimizer({ kind: 'adam', learningRate: 0.05, clipNorm: 1 });
    opt.init(layer.parameters());
    const first = opt.step(loss(layer), layer).loss;
    await expectNoLeaks(() => {
      for (let i = 0; i < 20; i++) opt.step(loss(layer), layer);
    });
    expect(opt.step(loss(layer), layer).loss).toBeLessThan(first);
    const saved: tf.io.ModelArtifacts[] = [];
    await saveCheckpoint(
      layer,
      tf.io.withSaveHandler(async (a) => (saved.push(a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })),
      {},
      { optimizer: opt },
    );
    opt.step(loss(layer), layer);
    const resumed = new GatedLinear({ inFeatures: 3, outFeatures: 2, seed: 9 });
    const opt2 = new Optimizer({ kind: 'adam', learningRate: 0.05, clipNorm: 1 });
    await loadCheckpoint(resumed, tf.io.fromMemory(saved[0] as tf.io.ModelArtifacts), { optimizer: opt2 });
    opt2.step(loss(resumed), resumed);
    for (const [name, v] of Object.entries(layer.namedParameters())) {
      expect(await values(resumed.namedParameters()[name] as tf.Tensor)).toEqual(await values(v));
    }
    [opt, opt2].forEach((o) => o.dispose());
    [layer, resumed].forEach((m) => m.dispose());
    tf.dispose([x, t]);
  });
});
