/**
 * SDE-BNN vs the deterministic ODE-net on Fashion-MNIST (Xu et al. 2022, the image experiments), on a
 * bounded CPU budget: a small deterministic conv stem (2×2 stride-2 patch convs + one 3×3 conv, 28×28 →
 * 7×7×C), one continuous-depth block whose 3×3 conv vector field C→C has its D = 9C² + C weights
 * following the posterior weight SDE (OU prior, midpoint, few steps), and a linear head. The
 * baseline has the same stem, field and head with constant weights. Both see the same minibatches.
 * Reports test accuracy, NLL, ECE (15 equal-width bins) and Brier from @nde/metrics, reliability
 * diagrams, and the training budget (wall-clock, iterations, backend).
 *   cd apps/benchmarks && node --import tsx src/repro/sde-bnn-fashion.ts
 * Env: ITERS (default 1100), BATCH (128), SAMPLES (10), TEST (10000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Linear, useBackend } from '@nde/core';
import { fold, key, uniformArray } from '@nde/brownian';
import { brierScore, negativeLogLikelihood, reliabilityDiagram, reliabilityDiagramSvg } from '@nde/metrics';
import { lineChart, writeText } from '@nde/plot';
import {
  Conv3x3,
  ConvWeightField,
  ODENet,
  PatchConv2,
  SDEBNN,
  SDEBNNBlock,
  Sequential,
  Trainer,
  fashionBatch,
  loadFashion,
  predictProbs,
  type FashionSplit,
  type Predictor,
} from '@nde/sde-bnn';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const BUDGET = {
  iterations: env('ITERS', 1100),
  batch: env('BATCH', 128),
  weightPathsPerBatch: 4,
  channels: 16,
  stemChannels: 32,
  solverSteps: 4,
  method: 'midpoint',
  sigma: 0.1,
  theta: 1,
  learningRate: 3e-3,
  mcSamples: env('SAMPLES', 10),
  testExamples: env('TEST', 10000),
  seed: 0,
};
const OUT = fileURLToPath(new URL('../../results/repro/sde-bnn-fashion/', import.meta.url));
mkdirSync(OUT, { recursive: true });
const info = await useBackend('wasm');
console.log(`[sde-bnn-fashion] backend ${info.name}; budget ${JSON.stringify(BUDGET)}`);

const { train, test } = await loadFashion({ testLimit: BUDGET.testExamples });
const C = BUDGET.channels;
const stem = (seed: number): Sequential =>
  new Sequential([
    new PatchConv2({ inChannels: 1, outChannels: BUDGET.stemChannels, seed }),
    'relu',
    new PatchConv2({ inChannels: BUDGET.stemChannels, outChannels: C, seed: seed + 1 }),
    'relu',
    new Conv3x3({ inChannels: C, outChannels: C, seed: seed + 2 }),
    'relu',
  ]);
const head = (seed: number): Sequential => new Sequential(['flatten', new Linear({ inFeatures: 49 * C, outFeatures: 10, seed })]);
const field = new ConvWeightField({ height: 7, width: 7, channels: C });

const sdeBnn = new SDEBNN({
  input: stem(10),
  block: new SDEBNNBlock({
    field,
    prior: { sigma: BUDGET.sigma, theta: BUDGET.theta },
    steps: BUDGET.solverSteps,
    method: 'midpoint',
    seed: 20,
  }),
  output: head(30),
});
const odeNet = new ODENet({ input: stem(10), field, output: head(30), steps: BUDGET.solverSteps, method: 'midpoint', seed: 20 });

/** The same shuffled minibatches for both models. */
function batches(split: FashionSplit, iterations: number, B: number, seed: number): number[][] {
  const out: number[][] = [];
  let order: number[] = [];
  let epoch = 0;
  while (out.length < iterations) {
    if (order.length < B) {
      const u = uniformArray(key(seed + epoch++), split.count);
      order = Array.from({ length: split.count }, (_, i) => i).sort((a, b) => (u[a] as number) - (u[b] as number));
    }
    out.push(order.splice(0, B));
  }
  return out;
}
const plan = batches(train, BUDGET.iterations, BUDGET.batch, BUDGET.seed);

interface Curve {
  iteration: number;
  loss: number;
  nll: number;
  kl?: number;
}
async function fit(name: string, model: SDEBNN | ODENet): Promise<{ curve: Curve[]; seconds: number; cpuSeconds: number }> {
  const trainer = new Trainer(model, { learningRate: BUDGET.learningRate, clipNorm: 5 });
  const curve: Curve[] = [];
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  let avg = 0;
  for (let i = 0; i < plan.length; i++) {
    trainer.learningRate = BUDGET.learningRate * (0.03 + 0.97 * 0.5 * (1 + Math.cos((Math.PI * i) / plan.length)));
    const { x, y } = fashionBatch(train, plan[i] as number[]);
    const r = trainer.step((): { loss: tf.Scalar; extras: Record<string, tf.Scalar> } => {
      if (model instanceof SDEBNN) {
        const p = model.loss(x, y, {
          key: fold(key(BUDGET.seed + 1), i),
          groups: BUDGET.weightPathsPerBatch,
          likelihood: { kind: 'categorical' },
          datasetSize: train.count,
        });
        return { loss: p.loss, extras: { nll: p.nll, kl: p.kl } };
      }
      const p = model.loss(x, y, { kind: 'categorical' });
      return { loss: p.loss, extras: { nll: p.nll } };
    });
    tf.dispose([x, y]);
    avg = i === 0 ? r.loss : 0.98 * avg + 0.02 * r.loss;
    if (i % 25 === 0 || i === plan.length - 1) {
      curve.push({ iteration: i, loss: r.loss, nll: r.extras.nll as number, ...(r.extras.kl !== undefined ? { kl: r.extras.kl } : {}) });
    }
    if (i % 100 === 0 || i === plan.length - 1) {
      console.log(
        `[${name}] ${i + 1}/${plan.length} loss(avg) ${avg.toFixed(4)} ${r.extras.kl !== undefined ? `kl ${(r.extras.kl as number).toFixed(1)} ` : ''}${((Date.now() - t0) / 1000).toFixed(0)} s, tensors ${tf.memory().numTensors}`,
      );
    }
  }
  trainer.dispose();
  return { curve, seconds: (Date.now() - t0) / 1000, cpuSeconds: process.cpuUsage(c0).user / 1e6 };
}

interface Evaluation {
  accuracy: number;
  nll: number;
  ece: number;
  mce: number;
  brier: number;
  meanConfidence: number;
  meanEntropy: number;
  meanMutualInformation: number;
  samples: number;
  evalSeconds: number;
}
async function evaluate(name: string, model: Predictor, samples: number): Promise<Evaluation> {
  const t0 = Date.now();
  const x = tf.tensor4d(test.images, [test.count, 28, 28, 1]);
  const pred = await predictProbs(model, x, { samples, seed: 12345, batchSize: 1000 });
  x.dispose();
  const probs = tf.tensor2d(pred.probs, [test.count, pred.classes]);
  const labels = Array.from(test.labels);
  const diagram = await reliabilityDiagram(probs, labels, { bins: 15 });
  const nll = await negativeLogLikelihood(probs, labels);
  const brier = await brierScore(probs, labels);
  probs.dispose();
  writeText(
    `${OUT}reliability-${name}.svg`,
    reliabilityDiagramSvg(diagram, { title: `${name}: accuracy ${(100 * diagram.accuracy).toFixed(2)}%, ECE ${diagram.ece.toFixed(4)}` }),
  );
  const meanEntropy = pred.entropy.reduce((a, b) => a + b, 0) / test.count;
  const meanMI = pred.mutualInformation.reduce((a, b) => a + b, 0) / test.count;
  reliability[name] = diagram.bins
    .filter((b) => b.count > 0)
    .map((b) => ({ confidence: b.confidence, accuracy: b.accuracy, count: b.count }));
  return {
    accuracy: diagram.accuracy,
    nll,
    ece: diagram.ece,
    mce: diagram.mce,
    brier,
    meanConfidence: diagram.confidence,
    meanEntropy,
    meanMutualInformation: meanMI,
    samples: pred.samples,
    evalSeconds: (Date.now() - t0) / 1000,
  };
}

const reliability: Record<string, { confidence: number; accuracy: number; count: number }[]> = {};
const runStart = Date.now();
const fitSde = await fit('sde-bnn', sdeBnn);
const evalSde = await evaluate('sde-bnn', sdeBnn, BUDGET.mcSamples);
console.log('[sde-bnn] test', evalSde);
const fitOde = await fit('ode-net', odeNet);
const evalOde = await evaluate('ode-net', odeNet, 1);
console.log('[ode-net] test', evalOde);

const results = {
  backend: info.name,
  machine: '2 shared CPU cores (load from other jobs), wasm backend (single-threaded)',
  budget: BUDGET,
  epochs: (BUDGET.iterations * BUDGET.batch) / train.count,
  weightDim: sdeBnn.block.weightDim,
  parameters: { sdeBnn: sdeBnn.parameters().reduce((a, v) => a + v.size, 0), odeNet: odeNet.parameters().reduce((a, v) => a + v.size, 0) },
  train: {
    sdeBnn: { seconds: fitSde.seconds, cpuSeconds: fitSde.cpuSeconds },
    odeNet: { seconds: fitOde.seconds, cpuSeconds: fitOde.cpuSeconds },
  },
  test: { sdeBnn: evalSde, odeNet: evalOde },
  targets: { accuracyAtLeast: 0.88, sdeBnnAccuracyMet: evalSde.accuracy >= 0.88, sdeBnnEceLowerThanOdeNet: evalSde.ece < evalOde.ece },
  reliability,
  curves: { sdeBnn: fitSde.curve, odeNet: fitOde.curve },
  totalSeconds: (Date.now() - runStart) / 1000,
};
writeFileSync(`${OUT}results.json`, `${JSON.stringify(results, null, 2)}\n`);
const diag = (name: string): { x: number[]; y: number[] } => ({
  x: (reliability[name] ?? []).map((b) => b.confidence),
  y: (reliability[name] ?? []).map((b) => b.accuracy),
});
writeText(
  `${OUT}reliability.svg`,
  await lineChart(
    [
      { name: 'perfect calibration', x: [0, 1], y: [0, 1] },
      { name: `SDE-BNN (ECE ${(evalSde.ece as number).toFixed(4)})`, ...diag('sde-bnn') },
      { name: `ODE-net (ECE ${(evalOde.ece as number).toFixed(4)})`, ...diag('ode-net') },
    ],
    {
      title: 'Fashion-MNIST reliability diagram (15 bins)',
      xLabel: 'confidence',
      yLabel: 'accuracy',
      mark: 'linepoint',
      width: 420,
      height: 420,
    },
  ),
);
writeText(
  `${OUT}training.svg`,
  await lineChart(
    [
      { name: 'SDE-BNN −ELBO/N', x: fitSde.curve.map((c) => c.iteration), y: fitSde.curve.map((c) => c.loss) },
      { name: 'ODE-net NLL', x: fitOde.curve.map((c) => c.iteration), y: fitOde.curve.map((c) => c.loss) },
    ],
    { title: 'Fashion-MNIST training loss', xLabel: 'iteration', yLabel: 'loss', logY: true },
  ),
);
const row = (n: string, r: Evaluation, s: { seconds: number }): string =>
  `| ${n} | ${(100 * r.accuracy).toFixed(2)} % | ${r.nll.toFixed(4)} | ${r.ece.toFixed(4)} | ${r.brier.toFixed(4)} | ${r.samples} | ${s.seconds.toFixed(0)} s |`;
writeFileSync(
  `${OUT}results.md`,
  [
    `# Fashion-MNIST: SDE-BNN vs ODE-net (${BUDGET.testExamples} test images)`,
    '',
    `Budget: ${BUDGET.iterations} iterations × batch ${BUDGET.batch} (${results.epochs.toFixed(2)} epochs) per model, wasm backend, 2 shared CPU cores.`,
    '',
    '| model | accuracy | NLL | ECE | Brier | MC samples | train wall |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('SDE-BNN', evalSde, fitSde),
    row('ODE-net', evalOde, fitOde),
    '',
  ].join('\n'),
);
console.log(`[sde-bnn-fashion] wrote ${OUT} in ${results.totalSeconds.toFixed(0)} s`);
