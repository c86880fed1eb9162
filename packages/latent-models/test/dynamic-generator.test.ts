import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import {
  ABPTTTrainer,
  DynamicGenerator,
  FrameGenerator,
  MLPTransition,
  ODETransition,
  PixelShuffleUp,
  SDETransition,
  fireField,
  framesFromArray,
  interpolateMissingFrames,
  langevinStep,
  loadFrameFolder,
  movingFashion,
  movingSinusoids,
} from '../src/index.js';

describeBackends('dynamic generator', (backend) => {
  it('a Langevin step on a Gaussian target leaves its mean and variance invariant (within sampling error)', async () => {
    await expectNoLeaks(async () => {
      const n = 20000;
      const mu = tf.tensor1d([1, -2]);
      const sd = tf.tensor1d([0.5, 2]);
      let z = tf.tidy(() => tf.add(mu, tf.mul(sd, tf.randomNormal([n, 2], 0, 1, 'float32', 5))));
      const grad = ([x]: readonly tf.Tensor[]): tf.Tensor[] => [tf.div(tf.sub(mu, x as tf.Tensor), tf.square(sd))];
      for (let k = 0; k < 20; k++) {
        const [next] = langevinStep([z], grad, { stepSize: 0.05, seed: 100 + k });
        z.dispose();
        z = next as tf.Tensor;
      }
      const mo = tf.moments(z, 0);
      const m = Array.from(await mo.mean.data());
      const v = Array.from(await mo.variance.data());
      tf.dispose([mo.mean, mo.variance]);
      const mus = [1, -2];
      const sds = [0.5, 2];
      for (let i = 0; i < 2; i++) {
        const s = sds[i]!;
        expect(Math.abs(m[i]! - mus[i]!)).toBeLessThan((4 * s) / Math.sqrt(n));
        expect(Math.abs(v[i]! - s * s)).toBeLessThan(4 * s * s * Math.sqrt(2 / n));
      }
      tf.dispose([z, mu, sd]);
    });
  });

  it('PixelShuffleUp equals conv2dTranspose with kernel 2, stride 2', async () => {
    const up = new PixelShuffleUp({ inChannels: 3, outChannels: 2, seed: 1 });
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 2);
    // Linear weight [cin, (dy, dx, cout)] → conv2dTranspose filter [kh, kw, cout, cin]
    const filter = up.linear.weight.reshape([3, 2, 2, 2]).transpose([1, 2, 3, 0]) as tf.Tensor4D;
    const ref = tf.add(
      tf.conv2dTranspose(x as tf.Tensor4D, filter, [2, 8, 8, 2], 2, 'valid'),
      tf.tile((up.linear.bias as tf.Tensor).reshape([2, 2, 2]).reshape([1, 2, 2, 2]), [1, 4, 4, 1]),
    );
    const got = up.apply(x);
    const diff = (await tf.max(tf.abs(tf.sub(got, ref))).data())[0]!;
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, filter, ref, got]);
    up.dispose();
  });

  it('ABPTT: persistent Langevin inference + learning lowers the reconstruction error (trains on this backend)', async () => {
    const size = 8;
    const T = 8;
    const seqs = [0, 1].map((s) => movingSinusoids(T, size, s).data);
    const data = tf.tensor(Float32Array.from(seqs.flatMap((d) => Array.from(d))), [2, T, size, size, 1]);
    const model = new DynamicGenerator({
      generator: new FrameGenerator({ stateDim: 6, size, baseChannels: 8, seed: 1 }),
      transition: new MLPTransition({ stateDim: 6, noiseDim: 3, hidden: [16], seed: 2 }),
      sigma: 0.3,
    });
    const trainer = new ABPTTTrainer(model, data, {
      chunkLength: 4,
      langevinSteps: backend === 'cpu' ? 3 : 5,
      stepSize: 0.1,
      learningRate: 1e-2,
      learnSteps: 2,
    });
    const errs: number[] = [];
    // tfjs-cpu is ~10× slower here than wasm: fewer epochs there.
    const epochs = backend === 'cpu' ? 5 : 12;
    for (let e = 0; e < epochs; e++) errs.push(trainer.epoch().reconstructionMse);
    expect(errs[errs.length - 1]!).toBeLessThan(errs[0]! * (backend === 'cpu' ? 0.95 : 0.8));
    const synth = model.synthesize(1, 3 * T, 4);
    expect(synth.shape).toEqual([1, 3 * T, size, size, 1]);
    const mask = tf.tensor([1, 0, 1, 0, 1, 1, 0, 1], [1, T, 1, 1, 1]);
    const rec = model.recover(data.slice([0], [1]), mask, { steps: 5, refineSteps: 2 });
    expect(rec.shape).toEqual([1, T, size, size, 1]);
    tf.dispose([synth, mask, rec, data]);
    trainer.dispose();
    model.dispose();
  });

  it('ODE and SDE transitions run through the solvers and pass gradients to the noise', async () => {
    await expectNoLeaks(async () => {
      const ode = new ODETransition({ stateDim: 4, noiseDim: 2, hidden: [8], steps: 2, seed: 1 });
      const sde = new SDETransition({ stateDim: 4, substeps: 2, hidden: [8], seed: 1 });
      const s = tf.randomNormal([3, 4], 0, 1, 'float32', 1);
      for (const F of [ode, sde]) {
        const xi = tf.randomNormal([3, F.noiseDim], 0, 1, 'float32', 2);
        const out = F.step(s, xi);
        expect(out.shape).toEqual([3, 4]);
        const gAbs = tf.tidy(() => tf.sum(tf.abs(tf.grad((e: tf.Tensor) => tf.sum(F.step(s, e)))(xi))));
        expect((await gAbs.data())[0]).toBeGreaterThan(0);
        tf.dispose([xi, out, gAbs]);
        const bad = tf.zeros([3, F.noiseDim + 1]);
        expect(() => F.step(s, bad)).toThrow(ShapeError);
        bad.dispose();
      }
      s.dispose();
      ode.dispose();
      sde.dispose();
    });
  });
});

it('textures, frame loaders and the interpolation baseline', async () => {
  for (const seq of [movingSinusoids(5, 16, 0), fireField(5, 16, 0), movingFashion(new Uint8Array(784 * 2).fill(200), [0, 1], 5, 32, 0)]) {
    expect(seq.data.length).toBe(seq.T * seq.size * seq.size);
    expect(Math.min(...seq.data)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...seq.data)).toBeLessThanOrEqual(1);
  }
  expect(() => movingSinusoids(0, 16)).toThrow(InvalidArgumentError);
  // Interpolation baseline: exact on a linear-in-time signal.
  const frames = Float32Array.from({ length: 5 * 2 }, (_, i) => Math.floor(i / 2) * 0.1);
  const filled = interpolateMissingFrames(frames, 5, [true, false, false, true, false]);
  expect(Array.from(filled).map((v) => +v.toFixed(5))).toEqual(Array.from(frames).map((v, i) => +(i >= 8 ? 0.3 : v).toFixed(5)));
  // PNG folder → [T, H, W, 1] in [−1, 1]
  const dir = mkdtempSync(join(tmpdir(), 'frames-'));
  for (let t = 0; t < 3; t++) {
    const png = new PNG({ width: 4, height: 4 });
    png.data.fill(t * 100);
    for (let p = 3; p < png.data.length; p += 4) png.data[p] = 255;
    writeFileSync(join(dir, `f${t}.png`), PNG.sync.write(png));
  }
  const x = await loadFrameFolder(dir, { channels: 1 });
  expect(x.shape).toEqual([3, 4, 4, 1]);
  const v = await x.data();
  expect(v[0]).toBeCloseTo(-1, 4);
  expect(v[v.length - 1]).toBeCloseTo((200 / 255) * 2 - 1, 3);
  const y = framesFromArray(new Uint8Array(2 * 8 * 8 * 3).fill(255), [2, 8, 8, 3], { size: 4 });
  expect(y.shape).toEqual([2, 4, 4, 1]);
  expect(() => framesFromArray(new Uint8Array(5), [1, 2, 2, 3])).toThrow(ShapeError);
  await expect(loadFrameFolder(join(dir, 'nope'))).rejects.toThrow(InvalidArgumentError);
  tf.dispose([x, y]);
});
