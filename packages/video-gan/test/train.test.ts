import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, values } from '@nde/test-utils';
import {
  Conv1dTemporalGenerator,
  ImageGenerator,
  OdeTemporalGenerator,
  RMSprop,
  SdeTemporalGenerator,
  VideoDiscriminator,
  VideoGenerator,
  WganTrainer,
  clipSingularValues,
  clipWeights,
  singularValueClip,
  singularValues,
  trainWgan,
  useConvFilterGradients,
  weightMatrixShape,
  type Clipping,
  type TemporalGenerator,
} from '../src/index.js';
import { loadCheckpoint } from '@nde/nn';

const tiny = (kind: 'conv1d' | 'ode' | 'sde'): VideoGenerator => {
  const temporal: TemporalGenerator =
    kind === 'conv1d'
      ? new Conv1dTemporalGenerator({ latentDim: 6, frameLatentDim: 6, numFrames: 4, channels: [8, 8], seed: 1 })
      : kind === 'ode'
        ? new OdeTemporalGenerator({ dim: 6, numFrames: 4, seed: 1 })
        : new SdeTemporalGenerator({ dim: 6, numFrames: 4, dt: 0.1, seed: 1 });
  return new VideoGenerator({
    temporal,
    image: new ImageGenerator({ contentDim: 6, frameLatentDim: 6, size: 8, baseChannels: 4, seed: 1 }),
    seed: 1,
  });
};

describeBackends('training', () => {
  it('singular value clipping bounds every singular value by 1 and keeps the small ones', () => {
    const rows = 12;
    const cols = 5;
    const w = tf.randomNormal([rows, cols], 0, 3, 'float32', 9).dataSync();
    const before = singularValues(w, rows, cols);
    expect(before[0]).toBeGreaterThan(1);
    const after = singularValues(clipSingularValues(w, rows, cols), rows, cols);
    after.forEach((s, i) => expect(s).toBeLessThanOrEqual(Math.min(1, before[i] as number) + 1e-9));
    before.forEach((s, i) => {
      if (s < 1) expect(Math.abs((after[i] as number) - s)).toBeLessThan(1e-9);
    });
    // wide matrices too ([rows < cols] uses the other Gram matrix)
    const wide = singularValues(clipSingularValues(w, cols, rows), cols, rows);
    expect(Math.max(...wide)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('singularValueClip on a critic: every weight matrix ends with σ_max ≤ 1 (float32)', () => {
    const d = new VideoDiscriminator({ size: 8, numFrames: 4, widths: [4, 8], seed: 0 });
    d.parameters().forEach((v) => v.assign(tf.mul(v, 20)));
    expect(singularValueClip(d.parameters())).toBeGreaterThan(1);
    for (const v of d.parameters()) {
      if (v.rank < 2) continue;
      const [r, c] = weightMatrixShape(v.shape);
      expect(singularValues(v.dataSync(), r, c)[0]!).toBeLessThanOrEqual(1 + 1e-5);
    }
    d.dispose();
  });

  it('weight clipping bounds every parameter; RMSprop takes the textbook step', async () => {
    const v = tf.variable(tf.tensor1d([0.5, -0.2, 0.001]));
    clipWeights([v], 0.01);
    expect(await values(v)).toEqual([0.01, -0.01, 0.001].map(Math.fround));
    const opt = new RMSprop([v], { learningRate: 0.1, alpha: 0.9, epsilon: 1e-8 });
    const g = tf.tensor1d([1, -2, 0]);
    opt.apply({ [v.name]: g });
    const got = await values(v);
    // v = 0.1 g², θ -= 0.1 g / (√v + ε)
    [0.01 - 0.1 / Math.sqrt(0.1), -0.01 + 0.2 / Math.sqrt(0.4), 0.001].forEach((e, i) =>
      expect(Math.abs((got[i] as number) - e)).toBeLessThan(1e-5),
    );
    opt.dispose();
    tf.dispose([v, g]);
  });

  it('no tensors leak across training iterations (every temporal generator, both clippings)', async () => {
    useConvFilterGradients();
    const clippings: Clipping[] = [
      { kind: 'svc', every: 1 },
      { kind: 'weight', bound: 0.01 },
    ];
    for (const kind of ['conv1d', 'ode', 'sde'] as const) {
      for (const clipping of clippings) {
        const g = tiny(kind);
        const d = new VideoDiscriminator({ size: 8, numFrames: 4, widths: [4, 8], seed: 0 });
        const trainer = new WganTrainer({ generator: g, discriminator: d, clipping, learningRate: 1e-3, nCritic: 2, batchSize: 3 });
        const real = () => tf.randomUniform([3, 4, 8, 8, 1], -1, 1) as tf.Tensor5D;
        trainer.step(real); // warm-up (kernels, caches)
        const before = tf.memory().numTensors;
        const s1 = trainer.step(real);
        const s2 = trainer.step(real);
        expect(tf.memory().numTensors).toBe(before);
        expect(s2.iteration).toBe(3);
        expect([s1.dLoss, s1.gLoss, s2.dLoss, s2.gLoss].every(Number.isFinite)).toBe(true);
        trainer.dispose();
        g.dispose();
        d.dispose();
      }
    }
  });

  it('trainWgan: samples and checkpoints on schedule; checkpoints restore', async () => {
    useConvFilterGradients();
    const g = tiny('ode');
    const d = new VideoDiscriminator({ size: 8, numFrames: 4, widths: [4, 8], seed: 0 });
    const trainer = new WganTrainer({ generator: g, discriminator: d, learningRate: 1e-3, batchSize: 2 });
    const sampled: number[] = [];
    const saved: number[] = [];
    let last: tf.io.ModelArtifacts | undefined;
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const h = await trainWgan(trainer, {
      iterations: 4,
      data: () => tf.randomUniform([2, 4, 8, 8, 1], -1, 1) as tf.Tensor5D,
      sampleEvery: 2,
      sampleCount: 3,
      onSample: (it, v) => {
        sampled.push(it);
        expect(v.shape).toEqual([3, 4, 8, 8, 1]);
      },
      checkpointEvery: 3,
      onCheckpoint: (it, s) => {
        saved.push(it);
        last = s.generator;
      },
      onProgress: (s) => progress.push(s.meanSeconds),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(sampled).toEqual([2, 4]);
    expect(saved).toEqual([3, 4]);
    expect(h.dLoss).toHaveLength(4);
    expect(progress).toHaveLength(4);
    const other = tiny('ode');
    await loadCheckpoint(other, tf.io.fromMemory(last!));
    const z = g.sampleLatent(2);
    const [a, b] = [g.apply(z), other.apply(z)];
    expect(await values(a)).toEqual(await values(b));
    tf.dispose([z, a, b]);
    trainer.dispose();
    [g, d, other].forEach((m) => m.dispose());
  });
});
