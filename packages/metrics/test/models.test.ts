import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { FASHION_MNIST_DIR, fileSystemHandler, loadFashionMnist } from '@nde/data';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { fashionClassifier, features, loadFeatureModel, prepareFashionFrames } from '../src/index.js';

describeBackends('feature models', (backend) => {
  it('fileSystemHandler round-trips a LayersModel; loadFeatureModel reads the folder or model.json; features picks a layer', async () => {
    const dir = mkdtempSync(`${tmpdir()}/nde-model-`);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [3],
          units: 4,
          activation: 'relu',
          name: 'hidden',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.dense({ units: 2, name: 'out' }),
      ],
    });
    await model.save(fileSystemHandler(`file://${dir}`));
    const a = await loadFeatureModel(dir);
    const b = await loadFeatureModel(`${dir}/model.json`, { kind: 'layers' });
    const x = tf.tensor2d([
      [1, 2, 3],
      [0, -1, 4],
      [2, 2, 2],
    ]);
    await expectNoLeaks(async () => {
      const y0 = model.predict(x) as tf.Tensor;
      const y1 = await features(a, x, { batchSize: 2 });
      const h = await features(b, x, { layer: 'hidden' });
      expect(h.shape).toEqual([3, 4]);
      const [v0, v1] = await Promise.all([y0.data(), y1.data()]);
      Array.from(v0).forEach((v, i) => expect(v1[i]).toBeCloseTo(v, 6));
      [y0, y1, h].forEach((t) => t.dispose());
    });
    await expect(features(a, x, { layer: 'nope' })).rejects.toThrow(/`layer`: no layer named 'nope'.*hidden/);
    await expect(loadFeatureModel(`${dir}/absent`)).rejects.toThrow(/no model.json/);
    x.dispose();
    [model, a as tf.LayersModel, b as tf.LayersModel].forEach((m) => m.dispose());
  });

  it('prepareFashionFrames pads 28×28, resizes 64×64, and rejects colour frames', () => {
    const [p28, p64] = [prepareFashionFrames(tf.zeros([2, 28, 28])), prepareFashionFrames(tf.zeros([2, 64, 64, 1]))];
    expect(p28.shape).toEqual([2, 32, 32, 1]);
    expect(p64.shape).toEqual([2, 32, 32, 1]);
    p28.dispose();
    p64.dispose();
    const rgb = tf.zeros([1, 28, 28, 3]);
    expect(() => prepareFashionFrames(rgb)).toThrow(/`frames`/);
    rgb.dispose();
  });

  it.skipIf(!existsSync(FASHION_MNIST_DIR))(
    'the shipped classifier is accurate on Fashion-MNIST test images (28×28 and upscaled 64×64)',
    async () => {
      const model = await fashionClassifier();
      const { test } = await loadFashionMnist();
      const n = backend === 'cpu' ? 200 : 1000; // tfjs-cpu convolutions are slow
      const imgs = tf.tensor3d(test.images.subarray(0, n * 784), [n, 28, 28], 'int32');
      const labels = tf.tensor1d(test.labels.subarray(0, n), 'int32');
      const acc = async (x: tf.Tensor4D): Promise<number> => {
        const p = await features(model, x);
        const a = tf.tidy(() => tf.equal(p.argMax(-1), labels).toFloat().mean());
        const v = (await a.data())[0]!;
        [p, a].forEach((t) => t.dispose());
        return v;
      };
      const x28 = prepareFashionFrames(imgs, { scale255: true });
      const x64 = tf.tidy(() => prepareFashionFrames(tf.image.resizeBilinear(x28, [64, 64]) as tf.Tensor4D));
      const [a28, a64] = [await acc(x28), await acc(x64)];
      console.log(`[${backend}] shipped classifier accuracy on ${n} test images: 28×28 ${a28}, 64×64 ${a64}`);
      expect(a28).toBeGreaterThan(0.82);
      expect(a64).toBeGreaterThan(0.75);
      const f = await features(model, x28, { layer: 'features' });
      expect(f.shape).toEqual([n, 128]);
      [imgs, labels, x28, x64, f].forEach((t) => t.dispose());
      model.dispose();
    },
  );
});
