import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { MovingFashionMnist, evaluateVideos } from '../src/index.js';

const source = () => {
  const count = 10;
  const images = new Uint8Array(count * 784).map((_, i) => ((i * 2654435761) >>> 24) & 255);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i), count };
};

describeBackends('evaluation', () => {
  it('IS analogue and Fréchet distances with the shipped classifier; identical sets give FD ≈ 0', async () => {
    const data = new MovingFashionMnist(source(), { size: 32, frames: 4, seed: 0 });
    const real = data.batch(40);
    const noise = tf.randomUniform([40, 4, 32, 32, 1], -1, 1, 'float32', 1) as tf.Tensor5D;
    await expectNoLeaks(async () => {
      const same = await evaluateVideos(real, real);
      expect(same.frechetFrameDistance).toBeLessThan(1e-2);
      expect(same.inceptionScore).toBeCloseTo(same.realInceptionScore, 6);
      expect(same.frechetVideoDistance).toBeNull(); // 40 videos ≤ 128 feature dimensions
      const diff = await evaluateVideos(real, noise);
      expect(diff.frechetFrameDistance).toBeGreaterThan(same.frechetFrameDistance + 1);
      expect(diff.inceptionScore).toBeGreaterThanOrEqual(1);
    });
    const other = tf.zeros([2, 4, 16, 16, 1]) as tf.Tensor5D;
    await expect(evaluateVideos(real, other)).rejects.toThrow(ShapeError);
    tf.dispose([real, noise, other]);
  });

  it('takes a pluggable feature model and per-video features (e.g. a C3D/I3D conversion)', async () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const feats = tf.layers.dense({ units: 3, name: 'features', kernelInitializer: 'glorotUniform' }).apply(flat) as tf.SymbolicTensor;
    const probs = tf.layers.softmax().apply(feats) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: probs });
    const a = tf.randomUniform([12, 2, 8, 8, 1], -1, 1, 'float32', 2) as tf.Tensor5D;
    const b = tf.randomUniform([12, 2, 8, 8, 1], -1, 0, 'float32', 3) as tf.Tensor5D;
    const s = await evaluateVideos(a, b, {
      model,
      prepare: (x) => x.clone(),
      videoFeatures: async (v) =>
        tf.tidy(
          () =>
            v
              .mean([1, 2, 3])
              .reshape([v.shape[0], 1])
              .concat(v.max([1, 2, 3]).reshape([v.shape[0], 1]), 1) as tf.Tensor2D,
        ),
    });
    expect(s.frechetVideoDistance).not.toBeNull();
    expect(s.frechetVideoDistance!).toBeGreaterThan(0);
    expect(Number.isFinite(s.frechetFrameDistance)).toBe(true);
    tf.dispose([a, b]);
    model.dispose();
  });
});
