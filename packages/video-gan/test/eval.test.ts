import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { MovingFashionMnist, centroidCropFrames, evaluateVideos } from '../src/index.js';

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

  it('centroidCropFrames: the same item anywhere in the frame gives the same centred 32×32 classifier input', async () => {
    const item = Array.from({ length: 10 * 10 }, (_, i) => (i % 10 < 2 || Math.floor(i / 10) > 7 ? 0 : ((i * 37) % 11) / 10 + 0.1));
    const place = (y: number, x: number) => {
      const f = new Float32Array(32 * 32);
      for (let r = 0; r < 10; r++) for (let c = 0; c < 10; c++) f[(y + r) * 32 + x + c] = item[r * 10 + c]!;
      return f;
    };
    const frames = tf.tensor4d([...place(3, 5), ...place(20, 14)], [2, 32, 32, 1]);
    const prep = centroidCropFrames(10);
    await expectNoLeaks(async () => {
      const out = prep(frames);
      expect(out.shape).toEqual([2, 32, 32, 1]);
      const [diff, border, peak] = tf.tidy(() => {
        const [a, b] = tf.unstack(out);
        return [tf.max(tf.abs(tf.sub(a!, b!))), tf.sum(out.slice([0, 0, 0, 0], [2, 2, 32, 1])), tf.max(out)].map((t) => t.dataSync()[0]!);
      });
      expect(diff).toBeLessThan(1e-4);
      expect(border).toBe(0); // zero padding as in training
      expect(peak).toBeGreaterThan(0.5);
      out.dispose();
    });
    expect(() => centroidCropFrames(1)).toThrow();
    frames.dispose();
  });
});
