import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, Linear, UnsupportedError } from '@nde/core';
import { fold, key } from '@nde/brownian';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import {
  MLPWeightField,
  ODENet,
  SDEBNN,
  SDEBNNBlock,
  Trainer,
  predictProbs,
  predictRegression,
  type SDEBNNBlockOptions,
} from '../src/index.js';

function classifier(block: Partial<SDEBNNBlockOptions> = {}): SDEBNN {
  return new SDEBNN({
    input: new Linear({ inFeatures: 4, outFeatures: 6, seed: 1 }),
    block: new SDEBNNBlock({ field: new MLPWeightField({ features: 6, width: 8 }), prior: { sigma: 0.3 }, steps: 4, seed: 2, ...block }),
    output: new Linear({ inFeatures: 6, outFeatures: 3, seed: 3 }),
  });
}

describeBackends('SDE-BNN model', () => {
  const x = (): tf.Tensor => tf.randomNormal([16, 4], 0, 1, 'float32', 11);
  const y = (): tf.Tensor => tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32');

  it('predictions are reproducible for a fixed seed and differ across seeds', async () => {
    const model = classifier();
    const xs = x();
    const a = await predictProbs(model, xs, { samples: 4, seed: 5 });
    const b = await predictProbs(model, xs, { samples: 4, seed: 5 });
    const c = await predictProbs(model, xs, { samples: 4, seed: 6 });
    expect(Array.from(a.probs)).toEqual(Array.from(b.probs));
    expect(Array.from(a.probs)).not.toEqual(Array.from(c.probs));
    const rowSum = a.probs.slice(0, 3).reduce((s, p) => s + p, 0);
    expect(rowSum).toBeCloseTo(1, 5);
    expect(Math.max(...a.mutualInformation)).toBeGreaterThan(0); // weight noise → epistemic uncertainty
    const r1 = await predictRegression(model, xs, { samples: 3, seed: 1 });
    const r2 = await predictRegression(model, xs, { samples: 3, seed: 1 });
    expect(Array.from(r1.mean)).toEqual(Array.from(r2.mean));
    xs.dispose();
    model.dispose();
  });

  for (const cfg of [
    { adjoint: 'direct', method: 'midpoint' },
    { adjoint: 'stochastic', method: 'midpoint', stl: true },
    { adjoint: 'reversible', method: 'reversible_heun' },
  ] as const) {
    it(`no leaks over training steps (${cfg.adjoint} adjoint, ${cfg.method}${'stl' in cfg ? ', STL' : ''})`, async () => {
      const model = classifier(cfg);
      const trainer = new Trainer(model, { learningRate: 1e-2, clipNorm: 10 });
      const [xs, ys] = [x(), y()];
      const losses: number[] = [];
      const step = (i: number): { loss: number; gradNorm: number } =>
        trainer.step(() => {
          const p = model.loss(xs, ys, { key: fold(key(0), i), groups: 4, likelihood: { kind: 'categorical' }, datasetSize: 100 });
          return { loss: p.loss, extras: { kl: p.kl } };
        });
      step(100); // Adam creates its moment slots on the first step
      await expectNoLeaks(() => {
        for (let i = 0; i < 4; i++) {
          const r = step(i);
          expect(Number.isFinite(r.loss) && Number.isFinite(r.gradNorm) && r.gradNorm > 0).toBe(true);
          losses.push(r.loss);
        }
      });
      tf.dispose([xs, ys]);
      trainer.dispose();
      model.dispose();
    });
  }

  it('the reversible adjoint gives the gradients of direct backpropagation through reversible Heun', () => {
    const grads = (adjoint: 'direct' | 'reversible'): Float32Array[] => {
      const model = classifier({ adjoint, method: 'reversible_heun' });
      const [xs, ys] = [x(), y()];
      const { grads: g, value } = tf.variableGrads(
        () => model.loss(xs, ys, { key: key(9), groups: 2, likelihood: { kind: 'categorical' }, datasetSize: 10 }).loss,
        model.parameters(),
      );
      const out = Object.values(g).map((t) => t.dataSync() as Float32Array);
      tf.dispose([...Object.values(g), value, xs, ys]);
      model.dispose();
      return out;
    };
    const a = grads('direct');
    const b = grads('reversible');
    expect(a.length).toBe(b.length);
    a.forEach((ga, i) => {
      const gb = b[i] as Float32Array;
      const scale = Math.max(1e-3, ...Array.from(ga, Math.abs));
      ga.forEach((v, j) => expect(Math.abs(v - (gb[j] as number))).toBeLessThan(2e-3 * scale));
    });
  });

  it('the ODE-net baseline is deterministic and shares the architecture', async () => {
    const net = new ODENet({
      input: new Linear({ inFeatures: 4, outFeatures: 6, seed: 1 }),
      field: new MLPWeightField({ features: 6, width: 8 }),
      output: new Linear({ inFeatures: 6, outFeatures: 3, seed: 3 }),
    });
    const xs = x();
    const p = await expectNoLeaks(() => predictProbs(net, xs, { samples: 8 }));
    expect(p.samples).toBe(1);
    expect(Math.max(...p.mutualInformation)).toBeLessThan(1e-5);
    xs.dispose();
    net.dispose();
  });

  it('typed errors for bad groups and adjoint/method pairs', () => {
    const model = classifier();
    tf.tidy(() => {
      expect(() => model.forward(tf.zeros([10, 4]), { key: key(0), groups: 3 })).toThrow(InvalidArgumentError);
    });
    const bad = classifier({ adjoint: 'reversible', method: 'midpoint' });
    tf.tidy(() => {
      expect(() => bad.forward(tf.zeros([4, 4]), { key: key(0) })).toThrow(UnsupportedError);
    });
    model.dispose();
    bad.dispose();
  });
});
