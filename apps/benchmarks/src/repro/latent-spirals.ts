/**
 * Neural ODE paper §5.1 (Fig. 8): on irregularly sampled noisy spirals, a latent ODE (ODE-RNN encoder
 * run backwards, ODE decoder) extrapolates better than an RNN with time-delta inputs.
 * Both models see 20 random points of the first half of each spiral; MSE is measured on the second
 * half (extrapolation), against the noisy and the noise-free targets. Both forecasts are evaluated at
 * the same held-out times; the latent ODE decodes through the observed grid first (LatentODE.predict),
 * so it takes the same solver steps as in training.
 *   NDE_REPRO_ITERATIONS=1000 NDE_REPRO_BATCH=256 (full batch) sets the budget.
 *   cd apps/benchmarks && node --import tsx src/repro/latent-spirals.ts
 */
import * as tf from '@tensorflow/tfjs';
import { lineChart, writeText } from '@nde/plot';
import { LatentODE, RNNBaseline, Rng, klAnnealing, maskedMSE, selectSequences, spirals, disposeBatch } from '@nde/latent-models';
import { ProgressLogger } from '@nde/plot';
import { Adam } from '@nde/nn';
import { outDir, start, writeJson } from './common.js';

// NDE_REPRO_ITERATIONS overrides the training length (default 250 ≈ 1.5 min on 2 cores; the committed run states its own).
const BUDGET = {
  nTrain: 256,
  nTest: 64,
  nSample: 60,
  nObserved: 20,
  // NDE_REPRO_BATCH ≥ nTrain trains full-batch, as torchdiffeq's examples/latent_ode.py does.
  batch: Math.min(Number(process.env.NDE_REPRO_BATCH ?? 32), 256),
  iterations: Number(process.env.NDE_REPRO_ITERATIONS ?? 250),
  latentDim: 4,
  seed: 0,
};
const backend = await start('latent-spirals', BUDGET);
const t0 = Date.now();
const data = spirals({ n: BUDGET.nTrain + BUDGET.nTest, nSample: BUDGET.nSample, nObserved: BUDGET.nObserved, seed: BUDGET.seed });
// spirals() puts clockwise first, counter-clockwise second: shuffle before splitting.
const rng = new Rng(BUDGET.seed);
const perm = rng.permutation(BUDGET.nTrain + BUDGET.nTest);
const trainIdx = perm.slice(0, BUDGET.nTrain);
const testIdx = perm.slice(BUDGET.nTrain);
const train = selectSequences(data.observed, trainIdx);
const testObs = selectSequences(data.observed, testIdx);
const testFut = selectSequences(data.future, testIdx);
const cleanIdx = tf.tensor1d(testIdx, 'int32');
const nObsPart = data.observed.times.length;
const cleanTest = tf.gather(data.clean, cleanIdx);
const cleanFut = tf.slice(cleanTest, [0, nObsPart, 0], [BUDGET.nTest, BUDGET.nSample - nObsPart, 2]);

const model = new LatentODE({
  dataDim: 2,
  latentDim: BUDGET.latentDim,
  encoder: 'odernn',
  encoderHidden: 25,
  dynamicsHidden: [20],
  decoderHidden: [20],
  obsScale: 0.3,
  method: 'midpoint',
  seed: BUDGET.seed,
});
const rnn = new RNNBaseline({ inputDim: 2, hiddenSize: 25, seed: BUDGET.seed });
const optODE = new Adam({ learningRate: 0.01, clipNorm: 100 });
const optRNN = new Adam({ learningRate: 0.01, clipNorm: 10 });
const kl = klAnnealing({ warmup: 100 });
const progress = new ProgressLogger({ total: BUDGET.iterations, every: 25, label: 'spirals' });
const history: { iteration: number; latentOdeLoss: number; rnnLoss: number }[] = [];
for (let i = 0; i < BUDGET.iterations; i++) {
  const idx =
    BUDGET.batch >= BUDGET.nTrain
      ? Array.from({ length: BUDGET.nTrain }, (_, k) => k)
      : Array.from({ length: BUDGET.batch }, () => rng.int(BUDGET.nTrain));
  const batch = selectSequences(train, idx);
  const a = optODE.step(() => model.elbo(batch, { klWeight: kl(i), seed: i }).loss, model);
  const b = optRNN.step(() => rnn.oneStepLoss(batch), rnn);
  disposeBatch(batch);
  history.push({ iteration: i, latentOdeLoss: a.loss, rnnLoss: b.loss });
  progress.update(i, { negElbo: a.loss, rnnMse: b.loss, tensors: tf.memory().numTensors });
}
progress.done();

const predODE = model.predict(testObs, testFut.times);
const predRNN = rnn.forecast(testObs, testFut.times);
const mse = (p: tf.Tensor, y: tf.Tensor): number => {
  const m = maskedMSE(y, p);
  const v = m.dataSync()[0] as number;
  m.dispose();
  return v;
};
const results = {
  claim: 'latent ODE extrapolation MSE < RNN (Δt inputs) extrapolation MSE (Chen et al. 2018, §5.1)',
  backend,
  budget: BUDGET,
  seconds: (Date.now() - t0) / 1000,
  extrapolationMseNoisy: { latentODE: mse(predODE, testFut.values), rnn: mse(predRNN, testFut.values) },
  extrapolationMseClean: { latentODE: mse(predODE, cleanFut), rnn: mse(predRNN, cleanFut) },
  finalLoss: history[history.length - 1],
  reproduced: false,
};
results.reproduced = results.extrapolationMseClean.latentODE < results.extrapolationMseClean.rnn;
console.log(JSON.stringify(results, null, 2));
const dir = outDir('latent-spirals');
writeJson(`${dir}results.json`, { ...results, history: history.filter((h) => h.iteration % 10 === 0) });

// Plot three test spirals: observed points, truth, both extrapolations.
const read3 = (t: tf.Tensor): number[][][] => t.arraySync() as number[][][];
const obsV = read3(testObs.values);
const obsM = read3(testObs.mask);
const cleanV = read3(cleanTest);
const pO = read3(predODE);
const pR = read3(predRNN);
const charts: string[] = [];
for (const k of [0, 1, 2]) {
  const obs = (obsV[k] as number[][]).filter((_, i) => ((obsM[k] as number[][])[i] as number[])[0] === 1);
  const truth = cleanV[k] as number[][];
  const series = [
    { name: 'truth', x: truth.map((p) => p[0] as number), y: truth.map((p) => p[1] as number) },
    { name: 'observed', x: obs.map((p) => p[0] as number), y: obs.map((p) => p[1] as number) },
    { name: 'latent ODE', x: (pO[k] as number[][]).map((p) => p[0] as number), y: (pO[k] as number[][]).map((p) => p[1] as number) },
    { name: 'RNN', x: (pR[k] as number[][]).map((p) => p[0] as number), y: (pR[k] as number[][]).map((p) => p[1] as number) },
  ];
  charts.push(await lineChart(series, { title: `test spiral ${k}: extrapolation`, mark: 'linepoint', equalAxes: true, width: 360 }));
}
charts.forEach((svg, k) => writeText(`${dir}spiral-${k}.svg`, svg));
writeText(
  `${dir}loss.svg`,
  await lineChart(
    [
      { name: 'latent ODE −ELBO / 100', x: history.map((h) => h.iteration), y: history.map((h) => h.latentOdeLoss / 100) },
      { name: 'RNN one-step MSE', x: history.map((h) => h.iteration), y: history.map((h) => h.rnnLoss) },
    ],
    { title: 'training losses', xLabel: 'iteration', yLabel: 'loss', logY: true },
  ),
);
console.log(`wrote ${dir}`);
