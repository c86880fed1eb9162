/**
 * Train the in-project Fashion-MNIST CNN on 32×32 frames (28×28 padded) and save it into
 * assets/fashion-classifier/. Run: `node --import tsx scripts/train-classifier.ts [epochs]` from
 * packages/metrics (needs `apt-get install dataset-fashion-mnist`).
 *
 * wasm has no Conv2DBackpropFilter kernel; this script registers a Conv2D gradient that expresses the
 * filter gradient as a conv2d (batch ↔ channel transposition), which wasm runs fast.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';
import { buildFashionCnn, prepareFashionFrames } from '../src/models/fashion-cnn.js';
import { fileSystemHandler, loadFashionMnist } from '@nde/data';

const epochs = Number(process.argv[2] ?? 2);
const out = fileURLToPath(new URL('../assets/fashion-classifier', import.meta.url));

tf.registerGradient({
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as { strides: number | [number, number]; pad: 'same' | 'valid'; dataFormat: 'NHWC' };
    const dy4 = dy as tf.Tensor4D;
    return {
      x: () => tf.conv2dTranspose(dy4, filter, x.shape, a.strides, a.pad),
      filter: () => {
        const [kh, kw] = filter.shape;
        const ph = a.pad === 'same' ? (kh - 1) / 2 : 0;
        const pw = a.pad === 'same' ? (kw - 1) / 2 : 0;
        const xp = x.pad([
          [0, 0],
          [ph, ph],
          [pw, pw],
          [0, 0],
        ]);
        const xt = xp.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [ci, H+2p, W+2p, b]
        const f = dy4.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [H, W, b, co]
        return tf.conv2d(xt, f, 1, 'valid').transpose([1, 2, 0, 3]); // [kh, kw, ci, co]
      },
    };
  },
});

await tf.setBackend('wasm');
await tf.ready();
const { train, test } = await loadFashionMnist();
const toTensor = (s: { images: Uint8Array; count: number }) =>
  tf.tidy(() => prepareFashionFrames(tf.tensor3d(s.images, [s.count, 28, 28], 'int32'), { scale255: true }));
const xTrain = toTensor(train);
const yTrain = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10).toFloat();
const xTest = toTensor(test);
const yTest = tf.tensor1d(test.labels, 'int32');

const model = buildFashionCnn(0);
model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const t0 = performance.now();
await model.fit(xTrain, yTrain, {
  epochs,
  batchSize: 128,
  shuffle: true,
  callbacks: {
    onBatchEnd: (b, logs) => {
      if (b % 100 === 0) console.log(`  batch ${b}: loss ${logs?.loss?.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    },
    onEpochEnd: (e, logs) =>
      console.log(
        `epoch ${e + 1}: loss ${logs?.loss?.toFixed(4)} acc ${logs?.acc?.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      ),
  },
});
const trainSeconds = (performance.now() - t0) / 1000;
const pred = tf.tidy(() => (model.predict(xTest, { batchSize: 500 }) as tf.Tensor).argMax(-1));
const accuracy = (await tf.equal(pred, yTest).sum().data())[0]! / test.count;
console.log(`test accuracy ${(accuracy * 100).toFixed(2)}% after ${epochs} epochs, ${trainSeconds.toFixed(0)} s`);
model.setUserDefinedMetadata({
  testAccuracy: accuracy,
  epochs,
  trainSeconds,
  input: '32x32x1 in [0,1]; 28x28 zero-padded',
  dataset: 'Fashion-MNIST (Debian dataset-fashion-mnist)',
});
await model.save(fileSystemHandler(out));
console.log(`saved to ${out}`);
