import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { Adam, LatentODE, ODERNN, RNNBaseline, loadCheckpoint, saveCheckpoint, disposeBatch } from '../src/index.js';
import { tinyBatch, withGarbage } from './helpers.js';

const LOG2PI = Math.log(2 * Math.PI);

describeBackends('LatentODE', () => {
  it('ELBO terms equal the hand-assembled ones for a given ε', async () => {
    const model = new LatentODE({
      dataDim: 2,
      latentDim: 3,
      encoderHidden: 6,
      dynamicsHidden: [5],
      decoderHidden: [5],
      obsScale: 0.4,
      seed: 1,
    });
    const batch = tinyBatch(2, 4, 2);
    const eps = tf.tensor2d([
      [0.3, -1, 0.5],
      [1.2, 0.1, -0.4],
    ]);
    await expectNoLeaks(async () => {
      const terms = model.elbo(batch, { eps, klWeight: 0.5 });
      const { mean, std } = model.posterior(batch);
      const z0 = tf.tidy(() => tf.add(mean, tf.mul(std, eps)) as tf.Tensor2D);
      const pred = model.decode(z0, batch.times[0] as number, batch.times);
      const [x, m, p, mu, sd] = (await Promise.all([batch.values, batch.mask, pred, mean, std].map(values))) as [
        number[],
        number[],
        number[],
        number[],
        number[],
      ];
      let ll = 0;
      x.forEach((xi, i) => {
        if (m[i] === 1) ll += -0.5 * (((xi - (p[i] as number)) / 0.4) ** 2 + LOG2PI) - Math.log(0.4);
      });
      ll /= 2;
      let kl = 0;
      mu.forEach((mi, i) => {
        const s = sd[i] as number;
        kl += 0.5 * (s * s + mi * mi - 1) - Math.log(s);
      });
      kl /= 2;
      const [gotLL, gotKL, gotLoss, gotElbo] = await Promise.all(
        [terms.logLik, terms.kl, terms.loss, terms.elbo].map(async (t) => (await values(t))[0] as number),
      );
      expect(gotLL).toBeCloseTo(ll, 3);
      expect(gotKL).toBeCloseTo(kl, 4);
      expect(gotLoss).toBeCloseTo(-(ll - 0.5 * kl), 3);
      expect(gotElbo).toBeCloseTo(ll - kl, 3);
      tf.dispose([terms.loss, terms.elbo, terms.logLik, terms.kl, mean, std, z0, pred]);
    });
    tf.dispose(eps);
    disposeBatch(batch);
    model.dispose();
  });

  it('masked-out values do not change the ELBO, the encoders or the RNN loss', async () => {
    const batch = tinyBatch(3, 5, 2);
    const garbage = withGarbage(batch);
    const model = new LatentODE({ dataDim: 2, latentDim: 2, encoderHidden: 5, seed: 2 });
    const a = model.elbo(batch, { seed: 3 });
    const b = model.elbo(garbage, { seed: 3 });
    expect((await values(b.loss))[0]).toBeCloseTo((await values(a.loss))[0] as number, 3);
    const rnn = new RNNBaseline({ inputDim: 2, hiddenSize: 4, seed: 0 });
    const [r1, r2] = [rnn.oneStepLoss(batch), rnn.oneStepLoss(garbage)];
    expect((await values(r2))[0]).toBeCloseTo((await values(r1))[0] as number, 4);
    const enc = new ODERNN({ inputDim: 2, hiddenSize: 4, seed: 0 });
    const [h1, h2] = [enc.encode(batch, { reverse: true }), enc.encode(garbage, { reverse: true })];
    expect(await values(h2)).toEqual((await values(h1)).map((v) => expect.closeTo(v, 5)));
    // …while observed values do matter.
    const shifted = { ...batch, values: tf.add(batch.values, 1) as tf.Tensor3D };
    const c = model.elbo(shifted, { seed: 3 });
    expect(Math.abs(((await values(c.loss))[0] as number) - ((await values(a.loss))[0] as number))).toBeGreaterThan(1e-2);
    tf.dispose([a, b, c, r1, r2, h1, h2, garbage.values, shifted.values] as unknown as tf.Tensor[]);
    [model, rnn, enc].forEach((x) => x.dispose());
    disposeBatch(batch);
  });

  it('the RNN one-step loss is the masked MSE of its one-step predictions', async () => {
    const batch = tinyBatch(3, 5, 2);
    const rnn = new RNNBaseline({ inputDim: 2, hiddenSize: 4, seed: 1 });
    const pred = rnn.predictOneStep(batch);
    expect(pred.shape).toEqual([3, 4, 2]);
    const [p, v, m] = [await values(pred), await values(batch.values), await values(batch.mask)];
    let sq = 0;
    let count = 0;
    for (let s = 0; s < 3; s++)
      for (let i = 0; i < 4; i++)
        for (let d = 0; d < 2; d++) {
          const o = (s * 5 + i + 1) * 2 + d; // entry i predicts grid time i + 1
          if (m[o] === 1) {
            sq += ((p[(s * 4 + i) * 2 + d] as number) - (v[o] as number)) ** 2;
            count++;
          }
        }
    const loss = rnn.oneStepLoss(batch);
    expect((await values(loss))[0]).toBeCloseTo(sq / count, 5);
    tf.dispose([pred, loss]);
    rnn.dispose();
    disposeBatch(batch);
  });

  it('trains without leaking tensors, interpolates and extrapolates', async () => {
    const model = new LatentODE({ dataDim: 2, latentDim: 2, encoderHidden: 5, dynamicsHidden: [8], decoderHidden: [8], seed: 4 });
    const batch = tinyBatch(4, 5, 2);
    const opt = new Adam({ learningRate: 0.02 });
    const first = opt.step(() => model.elbo(batch, { seed: 0 }).loss, model);
    await expectNoLeaks(() => {
      for (let i = 1; i < 6; i++) opt.step(() => model.elbo(batch, { seed: i, nSamples: 2 }).loss, model);
    });
    expect(Number.isFinite(first.loss)).toBe(true);
    const pred = model.predict(batch, [...batch.times, 2, 2.5]);
    expect(pred.shape).toEqual([4, 7, 2]);
    tf.dispose(pred);
    opt.dispose();
    model.dispose();
    disposeBatch(batch);
  });

  it('save/load round-trip reproduces predictions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nde-lode-'));
    const batch = tinyBatch(2, 4, 2);
    try {
      const a = new LatentODE({ dataDim: 2, latentDim: 2, encoder: 'rnn', encoderHidden: 5, seed: 5 });
      const b = new LatentODE({ dataDim: 2, latentDim: 2, encoder: 'rnn', encoderHidden: 5, seed: 6 });
      await saveCheckpoint(a, `file://${dir}`, { iteration: 3 });
      const { metadata } = await loadCheckpoint(b, `file://${dir}`);
      expect(metadata.iteration).toBe(3);
      const [pa, pb] = [a.predict(batch, batch.times), b.predict(batch, batch.times)];
      expect(await values(pb)).toEqual(await values(pa));
      tf.dispose([pa, pb]);
      a.dispose();
      b.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      disposeBatch(batch);
    }
  });

  it('typed errors name the bad argument', () => {
    const model = new LatentODE({ dataDim: 2, latentDim: 2, seed: 0 });
    const batch = tinyBatch(2, 3, 2);
    expect(() => model.elbo({ ...batch, times: [0, 0.2, 0.1] })).toThrow(/observed.times.*strictly increasing/);
    const badMask = tf.ones([2, 3, 1]) as tf.Tensor3D;
    expect(() => model.elbo({ ...batch, mask: badMask })).toThrow(ShapeError);
    const wrongDim = tinyBatch(2, 3, 3);
    expect(() => model.posterior(wrongDim)).toThrow(/dataDim 2/);
    expect(() => model.decode(tf.zeros([2, 2]) as tf.Tensor2D, 1, [0.5])).toThrow(InvalidArgumentError);
    expect(() => model.elbo(batch, { target: { ...batch, times: [-1, 0.2, 0.5] } })).toThrow(/before the first observed time/);
    tf.dispose(badMask);
    disposeBatch(wrongDim);
    disposeBatch(batch);
    model.dispose();
  });

  it('predict decodes far times through the observed grid, not in one step from t0', async () => {
    // Regression: predict(observed, futureTimes) used to integrate from t0 to the first future time in
    // one fixed step, while the ELBO integrates through every observed time.
    const model = new LatentODE({
      dataDim: 2,
      latentDim: 2,
      encoderHidden: 5,
      dynamicsHidden: [8],
      decoderHidden: [8],
      method: 'euler',
      seed: 2,
    });
    const batch = tinyBatch(3, 5, 2); // times 0.1, 0.45, 0.7, 1.05, 1.3: widest gap 0.35
    await expectNoLeaks(async () => {
      const far = model.predict(batch, [2, 2.5]);
      const fine = model.predict(batch, [...batch.times, 1.65, 2, 2.25, 2.5]);
      const expected = tf.gather(fine, [6, 8], 1);
      const [a, b] = await Promise.all([values(far), values(expected)]);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 5));
      tf.dispose([far, fine, expected]);
    });
    expect(() => model.predict(batch, [2.5, 2])).toThrow(InvalidArgumentError);
    expect(() => model.predict(batch, [0])).toThrow(InvalidArgumentError);
    model.dispose();
    disposeBatch(batch);
  });

  it('RNN baseline sees the time since the last observation', async () => {
    // Regression: unobserved grid times used to leave the state untouched, so two observations one
    // grid step apart and two observations two (grid) steps apart gave the same encoding.
    const rnn = new RNNBaseline({ inputDim: 2, hiddenSize: 4, seed: 3 });
    const x = [0.5, -0.2, 0.9, 0.4];
    const gap2 = {
      times: [0, 1, 2],
      values: tf.tensor3d([x[0]!, x[1]!, 0, 0, x[2]!, x[3]!], [1, 3, 2]),
      mask: tf.tensor3d([1, 1, 0, 0, 1, 1], [1, 3, 2]),
    };
    const gap1 = { times: [0, 1], values: tf.tensor3d(x, [1, 2, 2]), mask: tf.ones([1, 2, 2]) as tf.Tensor3D };
    const [h2, h1] = [rnn.encode(gap2), rnn.encode(gap1)];
    const [a, b] = await Promise.all([values(h2), values(h1)]);
    expect(Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))))).toBeGreaterThan(1e-4);
    tf.dispose([h2, h1]);
    disposeBatch(gap2);
    disposeBatch(gap1);
    rnn.dispose();
  });

  it('RNN baseline forecasts autoregressively', async () => {
    const rnn = new RNNBaseline({ inputDim: 2, hiddenSize: 4, seed: 1 });
    const batch = tinyBatch(2, 4, 2);
    await expectNoLeaks(() => {
      const f = rnn.forecast(batch, [2, 2.3, 2.9]);
      expect(f.shape).toEqual([2, 3, 2]);
      f.dispose();
    });
    expect(() => rnn.forecast(batch, [0.5])).toThrow(InvalidArgumentError);
    rnn.dispose();
    disposeBatch(batch);
  });
});
