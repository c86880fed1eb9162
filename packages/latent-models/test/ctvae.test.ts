import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { Adam, ContinuousTimeVAE, harmonicOscillator, disposeBatch } from '../src/index.js';
import { tinyBatch, withGarbage } from './helpers.js';

const LOG2PI = Math.log(2 * Math.PI);

describeBackends('ContinuousTimeVAE', () => {
  it('ELBO = Σ masked Gaussian log-lik of the Euler-solved oscillator − KL, by hand', async () => {
    const vae = new ContinuousTimeVAE({
      dataDim: 2,
      latentDim: 2,
      dynamics: harmonicOscillator,
      decoder: 'identity',
      obsScale: 0.5,
      encoderHidden: 8,
      seed: 0,
    });
    const times = [0, 0.1, 0.2, 0.3];
    const batch = tinyBatch(2, 4, 2, times);
    const eps = tf.tensor2d([
      [0.5, -0.2],
      [0, 1],
    ]);
    await expectNoLeaks(async () => {
      const terms = vae.elbo(batch, { eps });
      const { mean, std } = vae.posterior(batch);
      const [mu, sd, x, m] = (await Promise.all([mean, std, batch.values, batch.mask].map(values))) as [
        number[],
        number[],
        number[],
        number[],
      ];
      const e = await values(eps);
      let ll = 0;
      let kl = 0;
      for (let b = 0; b < 2; b++) {
        // z0 = μ + σ ε, then explicit Euler on z' = (z1, −z0), one step per interval (the blog's solver).
        let z = [0, 1].map((d) => (mu[2 * b + d] as number) + (sd[2 * b + d] as number) * (e[2 * b + d] as number));
        for (let t = 0; t < 4; t++) {
          if (t > 0) z = [(z[0] as number) + 0.1 * (z[1] as number), (z[1] as number) - 0.1 * (z[0] as number)];
          for (let d = 0; d < 2; d++) {
            const i = (b * 4 + t) * 2 + d;
            if (m[i] === 1) ll += -0.5 * ((((x[i] as number) - (z[d] as number)) / 0.5) ** 2 + LOG2PI) - Math.log(0.5);
          }
        }
        for (let d = 0; d < 2; d++) {
          const s = sd[2 * b + d] as number;
          const mm = mu[2 * b + d] as number;
          kl += 0.5 * (s * s + mm * mm - 1) - Math.log(s);
        }
      }
      expect((await values(terms.logLik))[0]).toBeCloseTo(ll / 2, 3);
      expect((await values(terms.kl))[0]).toBeCloseTo(kl / 2, 4);
      expect((await values(terms.elbo))[0]).toBeCloseTo((ll - kl) / 2, 3);
      tf.dispose([terms.loss, terms.elbo, terms.logLik, terms.kl, mean, std]);
    });
    const garbage = withGarbage(batch);
    const [a, b] = [vae.elbo(batch, { seed: 1 }), vae.elbo(garbage, { seed: 1 })];
    expect((await values(b.loss))[0]).toBeCloseTo((await values(a.loss))[0] as number, 3);
    tf.dispose([a, b, garbage.values, eps] as unknown as tf.Tensor[]);
    disposeBatch(batch);
    vae.dispose();
  });

  it('learned dynamics, sequence encoder: trains without leaks and samples', async () => {
    const batch = tinyBatch(4, 5, 2);
    const vae = new ContinuousTimeVAE({
      dataDim: 2,
      latentDim: 3,
      encoderInput: 'sequence',
      sequenceLength: 5,
      encoderHidden: 16,
      seed: 1,
    });
    const opt = new Adam({ learningRate: 0.01 });
    const first = opt.step(() => vae.elbo(batch, { seed: 0 }).loss, vae);
    let last = first;
    await expectNoLeaks(() => {
      for (let i = 1; i < 30; i++) last = opt.step(() => vae.elbo(batch, { seed: i }).loss, vae);
    });
    expect(last.loss).toBeLessThan(first.loss);
    const s = vae.sample(3, batch.times, { seed: 0 });
    expect(s.shape).toEqual([3, 5, 2]);
    const r = vae.reconstruct(batch);
    expect(r.shape).toEqual([4, 5, 2]);
    tf.dispose([s, r]);
    const short = tinyBatch(1, 4, 2);
    expect(() => vae.elbo(short)).toThrow(ShapeError);
    expect(() => new ContinuousTimeVAE({ dataDim: 3, latentDim: 2, decoder: 'identity' })).toThrow(InvalidArgumentError);
    expect(() => new ContinuousTimeVAE({ dataDim: 2, latentDim: 2, encoderInput: 'sequence' })).toThrow(/sequenceLength/);
    disposeBatch(short);
    opt.dispose();
    vae.dispose();
    disposeBatch(batch);
  });
});
