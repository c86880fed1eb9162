/**
 * `pnpm demo latent-sde`: fit a latent SDE (@nde/latent-models, Li et al. 2020 / torchsde's latent_sde
 * example) to irregularly sampled Ornstein–Uhlenbeck paths by maximising the ELBO, then draw prior
 * samples against the data, posterior reconstructions, and the ELBO terms during training.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, useBackend } from '@nde/core';
import { LatentSDE, disposeBatch, klAnnealing, ouProcess } from '@nde/latent-models';
import { Adam } from '@nde/nn';
import { lineChart, progressBar, writeText } from '@nde/plot';
import { curvesSvg, type Curve } from '../lib/charts.js';
import { isQuick, logger, outDir, round, writeJson, type DemoOptions, type DemoResult } from '../lib/output.js';

export async function run(o: DemoOptions = {}): Promise<DemoResult> {
  const quick = o.quick ?? isQuick();
  const log = logger(o);
  const out = outDir('latent-sde', o);
  await useBackend(o.backend ?? 'wasm');
  log(`backend: ${describeBackend()}`);
  const iters = quick ? 6 : 250;
  const evalEvery = quick ? 3 : 25;
  const { batch, params } = ouProcess({ n: quick ? 16 : 32, nTimes: quick ? 15 : 25, seed: 0 });
  const times = batch.times;
  log(
    `data: ${batch.values.shape[0]} OU paths dX = ${params.theta}(${params.mu} − X)dt + ${params.sigma} dW on [0, ${params.t1}], about half of ${times.length} grid points observed per path`,
  );
  const model = new LatentSDE({ dataDim: 1, latentDim: 4, hidden: 32, obsScale: 0.05, dt: 0.1, seed: 0 });
  const opt = new Adam({ learningRate: 1e-2, clipNorm: 5 });
  const klWeight = klAnnealing({ warmup: quick ? 3 : 100 });
  log(
    `model: latent SDE, 4-D latent, GRU encoder, drift MLPs 32 wide, Euler–Maruyama dt 0.1; Adam lr 1e-2, KL annealed over ${quick ? 3 : 100} steps; ${iters} steps`,
  );

  const evaluate = (): { elbo: number; logLik: number; kl0: number; klPath: number } => {
    const e = model.elbo(batch, { seed: 12345, nSamples: 2 });
    const [elbo, logLik, kl0, klPath] = [e.elbo, e.logLik, e.kl0, e.klPath].map((t) => t.dataSync()[0]!) as [
      number,
      number,
      number,
      number,
    ];
    tf.dispose([e.loss, e.elbo, e.logLik, e.kl0, e.klPath]);
    return { elbo: round(elbo), logLik: round(logLik), kl0: round(kl0), klPath: round(klPath) };
  };
  const history: { iter: number; loss: number; gradNorm: number; ms: number }[] = [];
  const evals: ({ iter: number } & ReturnType<typeof evaluate>)[] = [{ iter: 0, ...evaluate() }];
  const bar = progressBar('latent-sde', iters);
  const started = performance.now();
  let trainMs = 0;
  for (let it = 1; it <= iters; it++) {
    const t = performance.now();
    const { loss, gradNorm } = opt.step(() => model.elbo(batch, { klWeight: klWeight(it - 1), seed: it }).loss, model);
    const ms = performance.now() - t;
    trainMs += ms;
    history.push({ iter: it, loss: round(loss), gradNorm: round(gradNorm ?? NaN), ms: round(ms, 3) });
    if (it % evalEvery === 0 || it === iters) evals.push({ iter: it, ...evaluate() });
    bar.update(it, { loss: loss.toFixed(3), ELBO: evals.at(-1)!.elbo.toFixed(3), 'ms/it': (trainMs / it).toFixed(0) });
  }
  bar.stop();
  const seconds = (performance.now() - started) / 1000;

  const files: string[] = [];
  const file = (name: string): string => {
    const p = join(out, name);
    files.push(p);
    return p;
  };
  // Observed points of a few paths, prior samples, posterior means.
  const vals = batch.values.arraySync() as number[][][];
  const mask = batch.mask.arraySync() as number[][][];
  const observed = (b: number, group: string): Curve => {
    const idx = times.map((_, i) => i).filter((i) => mask[b]![i]![0]! > 0);
    return { id: `data ${b}`, group, kind: 'point', x: idx.map((i) => times[i]!), y: idx.map((i) => vals[b]![i]![0]!) };
  };
  const prior = model.samplePrior(quick ? 6 : 12, times, { seed: 7 });
  const priorYs = prior.arraySync() as number[][][];
  prior.dispose();
  writeText(
    file('prior-samples.svg'),
    await curvesSvg(
      'Latent SDE: samples of the learned prior vs observed OU paths',
      [
        ...priorYs.map((p, k): Curve => ({
          id: `prior ${k}`,
          group: 'prior samples',
          kind: 'line',
          x: [...times],
          y: p.map((v) => v[0]!),
        })),
        ...[0, 1, 2, 3, 4, 5].map((b) => observed(b, 'observations (6 paths)')),
      ],
      { xLabel: 't', yLabel: 'x', colors: { 'prior samples': '#4c78a8', 'observations (6 paths)': '#222' } },
    ),
  );
  const post = model.samplePosterior(batch, { nSamples: 8, seed: 3 }); // [S, B, T, 1]
  const postMean = tf.tidy(() => tf.mean(post, 0)).arraySync() as number[][][];
  post.dispose();
  writeText(
    file('posterior.svg'),
    await curvesSvg(
      "Latent SDE: posterior mean (line, 8 samples) through each path's observations (points)",
      [0, 1, 2, 3].flatMap((b): Curve[] => [
        { id: `post ${b}`, group: `path ${b + 1}`, kind: 'line', x: [...times], y: postMean[b]!.map((v) => v[0]!) },
        observed(b, `path ${b + 1}`),
      ]),
      { xLabel: 't', yLabel: 'x' },
    ),
  );
  writeText(
    file('elbo.svg'),
    await lineChart(
      [
        { name: 'ELBO', x: evals.map((e) => e.iter), y: evals.map((e) => e.elbo) },
        { name: 'log-likelihood', x: evals.map((e) => e.iter), y: evals.map((e) => e.logLik) },
        { name: 'path KL', x: evals.map((e) => e.iter), y: evals.map((e) => -e.klPath) },
      ],
      {
        title: 'Latent SDE training (higher is better; path KL shown negated; symmetric-log axis)',
        symlogY: true,
        xLabel: 'iteration',
        yLabel: 'nats per sequence',
        mark: 'linepoint',
      },
    ),
  );
  const summary = {
    demo: 'latent-sde',
    quick,
    backend: describeBackend(),
    data: { process: 'Ornstein-Uhlenbeck', ...params, paths: batch.values.shape[0], gridPoints: times.length },
    model: { latentDim: 4, hidden: 32, sde: 'Euler-Maruyama dt 0.1', likelihood: 'laplace, scale 0.05' },
    iterations: iters,
    initialElbo: evals[0]!.elbo,
    finalElbo: evals.at(-1)!.elbo,
    seconds: { total: round(seconds, 3), msPerIteration: round(trainMs / iters, 3) },
    evals,
    history,
  };
  writeJson(file('results.json'), summary);
  log(`ELBO ${summary.initialElbo} → ${summary.finalElbo} in ${round(seconds, 3)} s (${summary.seconds.msPerIteration} ms/iteration)`);
  disposeBatch(batch);
  model.dispose();
  opt.dispose();
  return { out, files, summary };
}
