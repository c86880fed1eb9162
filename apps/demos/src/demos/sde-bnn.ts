/**
 * `pnpm demo sde-bnn`: a Bayesian neural network whose weights follow an SDE (@nde/sde-bnn, Xu et al. 2022)
 * fitted to the 1-D regression toy; plots the predictive mean with ±1 and ±2 standard-deviation bands
 * (epistemic: over weight paths) against the data and the true function. The bands should be narrow where
 * there is data and widen in the gap and beyond it.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Linear, describeBackend, useBackend } from '@nde/core';
import { fold, key } from '@nde/brownian';
import { MLPWeightField, SDEBNN, SDEBNNBlock, Trainer, predictRegression, regressionToy } from '@nde/sde-bnn';
import { lineChart, progressBar, writeText } from '@nde/plot';
import { isQuick, logger, outDir, round, writeJson, type DemoOptions, type DemoResult } from '../lib/output.js';

export async function run(o: DemoOptions = {}): Promise<DemoResult> {
  const quick = o.quick ?? isQuick();
  const log = logger(o);
  const out = outDir('sde-bnn', o);
  await useBackend(o.backend ?? 'wasm');
  log(`backend: ${describeBackend()}`);
  // The recipe of apps/benchmarks' sde-bnn-regression reproduction: every weight-path group sees every point,
  // KL warm-up over the first 300 steps, cosine learning-rate decay.
  const n = 80;
  const groups = 8;
  const iters = quick ? 20 : 1200;
  const obsStd = 0.05;
  const data = regressionToy({ n, noise: obsStd, seed: 0 });
  const x = tf.tensor2d(data.x, [n, 1]);
  const y = tf.tensor2d(data.y, [n, 1]);
  const xr = tf.tile(x, [groups, 1]);
  const yr = tf.tile(y, [groups, 1]);
  const model = new SDEBNN({
    input: new Linear({ inFeatures: 1, outFeatures: 8, seed: 1 }),
    block: new SDEBNNBlock({
      field: new MLPWeightField({ features: 8, width: 16 }),
      prior: { theta: 1, sigma: 0.5 },
      steps: 8,
      method: 'midpoint',
      seed: 2,
    }),
    output: new Linear({ inFeatures: 8, outFeatures: 1, seed: 3 }),
  });
  const lr0 = 1e-2;
  const trainer = new Trainer(model, { learningRate: lr0, clipNorm: 50 });
  log(
    `data: ${n} noisy points (σ ${obsStd}) of the 1-D toy with a gap; model: SDE-BNN, 8 features, weight SDE with an OU prior (θ 1, σ 0.5), 8 midpoint steps; ${iters} Adam steps, ${groups} weight paths per step`,
  );
  const bar = progressBar('sde-bnn', iters);
  const losses: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iters; i++) {
    trainer.learningRate = lr0 * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * i) / iters)));
    const { loss } = trainer.step(() => {
      const p = model.loss(xr, yr, {
        key: fold(key(1), i),
        groups,
        likelihood: { kind: 'gaussian', std: obsStd },
        datasetSize: n,
        klWeight: Math.min(1, i / 300),
      });
      return { loss: p.loss, extras: { kl: p.kl } };
    });
    losses.push(round(loss));
    bar.update(i + 1, { loss: loss.toFixed(3) });
  }
  bar.stop();
  tf.dispose([xr, yr]);
  const seconds = (performance.now() - started) / 1000;

  const gridX = Array.from({ length: 121 }, (_, i) => -3 + (6 * i) / 120);
  const grid = tf.tensor2d(gridX, [gridX.length, 1]);
  const { mean, std } = await predictRegression(model, grid, { samples: quick ? 8 : 64, seed: 1 });
  tf.dispose([grid, x, y]);
  const m = Array.from(mean);
  const s = Array.from(std);
  const band = (k: number) => ({ lo: m.map((v, i) => v - k * s[i]!), hi: m.map((v, i) => v + k * s[i]!) });
  const files: string[] = [];
  const file = (name: string): string => {
    const p = join(out, name);
    files.push(p);
    return p;
  };
  writeText(
    file('predictive.svg'),
    await lineChart(
      [
        { name: 'mean ± 2 std', x: gridX, y: m, ...band(2) },
        { name: 'mean ± 1 std', x: gridX, y: m, ...band(1) },
        { name: 'true function', x: gridX, y: gridX.map(data.fn) },
        { name: 'data', x: Array.from(data.x), y: Array.from(data.y), points: true },
      ],
      { title: 'SDE-BNN: predictive mean and epistemic bands over weight paths', xLabel: 'x', yLabel: 'y', width: 560, height: 320 },
    ),
  );
  writeText(
    file('loss.svg'),
    await lineChart([{ name: 'negative ELBO per point', x: losses.map((_, i) => i + 1), y: losses }], {
      title: 'SDE-BNN training loss',
      xLabel: 'iteration',
      yLabel: 'loss',
      symlogY: true,
    }),
  );
  // Where there is data the bands are narrow; in the gap and outside they widen.
  const inData = gridX.map((v, i) => ({ v, s: s[i]! })).filter((p) => Array.from(data.x).some((d) => Math.abs(d - p.v) < 0.1));
  const far = gridX.map((v, i) => ({ v, s: s[i]! })).filter((p) => Array.from(data.x).every((d) => Math.abs(d - p.v) > 0.5));
  const avg = (a: { s: number }[]): number => a.reduce((t, p) => t + p.s, 0) / Math.max(1, a.length);
  const summary = {
    iterations: iters,
    seconds: round(seconds, 1),
    initialLoss: losses[0]!,
    finalLoss: losses.at(-1)!,
    stdNearData: round(avg(inData), 4),
    stdAwayFromData: round(avg(far), 4),
  };
  writeJson(file('results.json'), { quick, ...summary, losses });
  log(
    `loss ${summary.initialLoss} → ${summary.finalLoss}; predictive std near the data ${summary.stdNearData}, away from it ${summary.stdAwayFromData}`,
  );
  trainer.dispose();
  model.dispose();
  return { out, files, summary };
}
