/**
 * The talk's 1-D latent SDE: fit a latent SDE (Laplace likelihood) to irregularly observed
 * Ornstein–Uhlenbeck paths. Checks: posterior samples cover the data (fraction of observations inside
 * the 5–95% band of posterior samples), and prior samples look like the process (their mean and std
 * over time against the OU process's exact moments).
 *   cd apps/benchmarks && node --import tsx src/repro/latent-sde-ou.ts
 */
import * as tf from '@tensorflow/tfjs';
import { lineChart, writeText } from '@nde/plot';
import { LatentSDE, Rng, klAnnealing, ouProcess, selectSequences, disposeBatch } from '@nde/latent-models';
import { ProgressLogger } from '@nde/plot';
import { Adam } from '@nde/nn';
import { outDir, start, writeJson } from './common.js';

const BUDGET = { nPaths: 128, batch: 32, iterations: 300, latentDim: 1, dt: 0.04, posteriorSamples: 64, priorSamples: 256, seed: 0 };
const backend = await start('latent-sde-ou', BUDGET);
const t0 = Date.now();
const { batch: data, params } = ouProcess({
  n: BUDGET.nPaths,
  nTimes: 40,
  t1: 2,
  theta: 2,
  mu: 0,
  sigma: 0.5,
  x0Mean: 1,
  x0Std: 0.2,
  keepProbability: 0.5,
  noiseStd: 0.01,
  seed: BUDGET.seed,
});
const model = new LatentSDE({
  dataDim: 1,
  latentDim: BUDGET.latentDim,
  contextDim: 8,
  encoderHidden: 16,
  hidden: 32,
  likelihood: 'laplace',
  obsScale: 0.05,
  dt: BUDGET.dt,
  seed: BUDGET.seed,
});
const opt = new Adam({ learningRate: 0.01, clipNorm: 50 });
const kl = klAnnealing({ warmup: 100 });
const rng = new Rng(BUDGET.seed);
const progress = new ProgressLogger({ total: BUDGET.iterations, every: 30, label: 'latent-sde-ou' });
const history: { iteration: number; loss: number }[] = [];
for (let i = 0; i < BUDGET.iterations; i++) {
  const b = selectSequences(
    data,
    Array.from({ length: BUDGET.batch }, () => rng.int(BUDGET.nPaths)),
  );
  const { loss } = opt.step(() => model.elbo(b, { klWeight: kl(i), seed: 1000 + i }).loss, model);
  disposeBatch(b);
  history.push({ iteration: i, loss });
  progress.update(i, { negElbo: loss, tensors: tf.memory().numTensors });
}
progress.done();

// Posterior coverage on 16 paths.
const show = selectSequences(
  data,
  Array.from({ length: 16 }, (_, i) => i),
);
const post = model.samplePosterior(show, { nSamples: BUDGET.posteriorSamples, seed: 7 });
const postArr = post.arraySync() as number[][][][]; // [S, B, T, 1]
const vals = show.values.arraySync() as number[][][];
const mask = show.mask.arraySync() as number[][][];
const T = data.times.length;
const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))] as number;
};
let inside = 0;
let observed = 0;
const bands: { lo: number[]; hi: number[]; med: number[] }[] = [];
for (let b = 0; b < 16; b++) {
  const lo: number[] = [];
  const hi: number[] = [];
  const med: number[] = [];
  for (let t = 0; t < T; t++) {
    const xs = postArr.map((s) => ((s[b] as number[][])[t] as number[])[0] as number);
    lo.push(q(xs, 0.05));
    hi.push(q(xs, 0.95));
    med.push(q(xs, 0.5));
    if (((mask[b] as number[][])[t] as number[])[0] === 1) {
      observed++;
      const v = ((vals[b] as number[][])[t] as number[])[0] as number;
      if (v >= (lo[t] as number) && v <= (hi[t] as number)) inside++;
    }
  }
  bands.push({ lo, hi, med });
}

// Prior samples against the OU process's exact moments.
const prior = model.samplePrior(BUDGET.priorSamples, data.times, { seed: 11 });
const priorArr = (prior.arraySync() as number[][][]).map((p) => p.map((r) => r[0] as number));
const { theta, mu, sigma, x0Mean, x0Std } = params;
const exact = data.times.map((t) => {
  const e = Math.exp(-theta * t);
  return { mean: mu + (x0Mean - mu) * e, std: Math.sqrt(x0Std ** 2 * e * e + (sigma ** 2 * (1 - e * e)) / (2 * theta)) };
});
const priorStats = data.times.map((_, t) => {
  const xs = priorArr.map((p) => p[t] as number);
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: m, std: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) };
});
const pick = [0, Math.floor((T - 1) / 2), T - 1];
const results = {
  claim: 'latent SDE on 1-D OU data: posterior samples cover the data; prior samples look like the process',
  backend,
  budget: BUDGET,
  data: params,
  seconds: (Date.now() - t0) / 1000,
  finalNegElbo: history[history.length - 1]?.loss,
  posteriorCoverage90: inside / observed,
  observedPointsChecked: observed,
  priorVsExact: pick.map((i) => ({
    t: data.times[i],
    priorMean: priorStats[i]?.mean,
    exactMean: exact[i]?.mean,
    priorStd: priorStats[i]?.std,
    exactStd: exact[i]?.std,
  })),
  meanAbsErrorOfPriorMean: priorStats.reduce((a, s, i) => a + Math.abs(s.mean - (exact[i] as { mean: number }).mean), 0) / T,
  meanAbsErrorOfPriorStd: priorStats.reduce((a, s, i) => a + Math.abs(s.std - (exact[i] as { std: number }).std), 0) / T,
};
console.log(JSON.stringify(results, null, 2));
const dir = outDir('latent-sde-ou');
writeJson(`${dir}results.json`, { ...results, history: history.filter((h) => h.iteration % 10 === 0) });

const ts = [...data.times];
const posteriorSeries = [0, 1, 2].flatMap((b) => {
  const obsT: number[] = [];
  const obsV: number[] = [];
  ts.forEach((t, i) => {
    if (((mask[b] as number[][])[i] as number[])[0] === 1) {
      obsT.push(t);
      obsV.push(((vals[b] as number[][])[i] as number[])[0] as number);
    }
  });
  const band = bands[b] as { lo: number[]; hi: number[]; med: number[] };
  return [
    { name: `path ${b}: posterior median, 5–95% band`, x: ts, y: band.med, lo: band.lo, hi: band.hi },
    { name: `path ${b}: observed`, x: obsT, y: obsV },
  ];
});
writeText(
  `${dir}posterior.svg`,
  await lineChart(posteriorSeries, {
    title: 'Latent SDE posterior samples vs observations (OU data)',
    xLabel: 't',
    yLabel: 'x',
    mark: 'linepoint',
  }),
);
const dataArr = (data.values.arraySync() as number[][][]).map((p) => p.map((r) => r[0] as number));
const dataMask = (data.mask.arraySync() as number[][][]).map((p) => p.map((r) => r[0] as number));
const priorSeries = [
  ...[0, 1, 2, 3, 4, 5].map((k) => ({ name: `prior sample ${k}`, x: ts, y: priorArr[k] as number[] })),
  ...[0, 1, 2].map((k) => ({
    name: `data path ${k}`,
    x: ts.filter((_, i) => (dataMask[k] as number[])[i] === 1),
    y: (dataArr[k] as number[]).filter((_, i) => (dataMask[k] as number[])[i] === 1),
  })),
  {
    name: 'exact OU mean ± 2 std',
    x: ts,
    y: exact.map((e) => e.mean),
    lo: exact.map((e) => e.mean - 2 * e.std),
    hi: exact.map((e) => e.mean + 2 * e.std),
  },
  {
    name: 'prior samples: mean ± 2 std',
    x: ts,
    y: priorStats.map((e) => e.mean),
    lo: priorStats.map((e) => e.mean - 2 * e.std),
    hi: priorStats.map((e) => e.mean + 2 * e.std),
  },
];
writeText(
  `${dir}prior.svg`,
  await lineChart(priorSeries, { title: 'Latent SDE prior samples vs the OU process', xLabel: 't', yLabel: 'x' }),
);
console.log(`wrote ${dir}`);
