/**
 * SDE-BNN vs the deterministic ODE-net on Fashion-MNIST (Xu et al. 2022, the image experiments), on a
 * bounded CPU budget: a small deterministic conv stem (2×2 stride-2 patch convs + one 3×3 conv, 28×28 →
 * 7×7×C), one continuous-depth block whose 3×3 conv vector field C→C has its D = 9C² + C weights
 * following the posterior weight SDE (OU prior, midpoint, few steps), and a linear head. The
 * baseline has the same stem, field and head with constant weights. Three models per seed, all on
 * the same minibatches: `sde-bnn` (the path-KL estimator ½|u|² dt), `sde-bnn-stl` (the same with the
 * sticking-the-landing estimator, `stl: true`) and `ode-net`. Reports test accuracy, NLL, ECE (15
 * equal-width bins) and Brier from @nde/metrics, mean ± std over seeds and per seed, reliability
 * diagrams of the first seed, the training budget, and the computed claim (`claim` in results.json).
 *
 * Budget per model and seed: ITERS iterations (default 2300, ≈ 4.9 epochs) × batch 128, Adam with a
 * cosine learning-rate schedule (3e-3 → 9e-5), global-norm clipping at 5, 4 midpoint steps over depth,
 * OU prior σ = 0.1, θ = 1, 4 weight paths per batch; 10 MC weight paths at test time, 10000 test images.
 * On the 2 shared CPU cores (wasm, single-threaded) one SDE-BNN takes ≈ 13 min, one ODE-net ≈ 10 min.
 * Env: SEEDS (default "0,1,2"), ITERS (2300), BATCH (128), SAMPLES (10), TEST (10000), CKPT_EVERY (100).
 * Seed s initialises the models from 10 + 100 s, 20 + 100 s, 30 + 100 s, so seed 0 is the earlier
 * single-seed run.
 *
 * Resumable: each (seed, model) checkpoints its parameters and Adam state every CKPT_EVERY iterations
 * into results/repro/sde-bnn-fashion/seed-<s>/<model>/, and its finished result into result.json
 * there. Stop the run any time; rerunning continues from the last checkpoint and skips finished
 * models. Each iteration's randomness depends only on (seed, iteration) (the minibatch plan on the
 * seed, the Brownian key is fold(key(seed + 1), i)), so a resumed run takes the same steps as an
 * uninterrupted one. A seed folder made with another budget is refused (recipe.json): delete it to
 * retrain. Run it in the background:
 *   cd apps/benchmarks && nohup node --import tsx src/repro/sde-bnn-fashion.ts > results/repro/sde-bnn-fashion/log.txt 2>&1 &
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Linear } from '@nde/core';
import { fold, key, uniformArray } from '@nde/brownian';
import { brierScore, negativeLogLikelihood, reliabilityDiagram, reliabilityDiagramSvg, type ReliabilityDiagram } from '@nde/metrics';
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
} from '@nde/sde-bnn';
import { outDir, start, writeJson } from './common.js';
import { Checkpoints, cachedResult, reportClaim, summarise, type SeedSummary } from './resumable.js';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const SEEDS = (process.env.SEEDS ?? '0,1,2').split(',').map((s) => Number(s.trim()));
if (SEEDS.length === 0 || SEEDS.some((s) => !Number.isInteger(s) || s < 0)) {
  throw new Error(`SEEDS must be a comma-separated list of non-negative integers (got '${process.env.SEEDS}').`);
}
const BUDGET = {
  iterations: env('ITERS', 2300),
  batch: env('BATCH', 128),
  weightPathsPerBatch: 4,
  channels: 16,
  stemChannels: 32,
  solverSteps: 4,
  method: 'midpoint' as const,
  sigma: 0.1,
  theta: 1,
  learningRate: 3e-3,
  clipNorm: 5,
  mcSamples: env('SAMPLES', 10),
  testExamples: env('TEST', 10000),
  checkpointEvery: env('CKPT_EVERY', 100),
};
const ACCURACY_TARGET = 0.88;
type Variant = 'sde-bnn' | 'sde-bnn-stl' | 'ode-net';
const LABEL: Record<Variant, string> = { 'sde-bnn': 'SDE-BNN', 'sde-bnn-stl': 'SDE-BNN (STL)', 'ode-net': 'ODE-net' };

const OUT = outDir('sde-bnn-fashion');
const backend = await start('sde-bnn-fashion', { ...BUDGET, seeds: SEEDS.join(',') });

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
/** The field has no parameters of its own (its weights are the block's state), so the models share it. */
const field = new ConvWeightField({ height: 7, width: 7, channels: C });

/** The model of one variant; seed 0 uses the initialisation seeds 10, 20, 30 of the single-seed run. */
function build(seed: number, variant: Variant): SDEBNN | ODENet {
  const s = 100 * seed;
  if (variant === 'ode-net') {
    return new ODENet({ input: stem(10 + s), field, output: head(30 + s), steps: BUDGET.solverSteps, method: BUDGET.method, seed: 20 + s });
  }
  return new SDEBNN({
    input: stem(10 + s),
    block: new SDEBNNBlock({
      field,
      prior: { sigma: BUDGET.sigma, theta: BUDGET.theta },
      steps: BUDGET.solverSteps,
      method: BUDGET.method,
      stl: variant === 'sde-bnn-stl',
      seed: 20 + s,
    }),
    output: head(30 + s),
  });
}

/**
 * The shuffled minibatches of one seed (the same for its three models): epoch e is shuffled by
 * key(1000 seed + e), so seed 0 has the single-seed run's batches and seeds do not share epochs.
 */
function batches(split: FashionSplit, iterations: number, B: number, seed: number): number[][] {
  const out: number[][] = [];
  let order: number[] = [];
  let epoch = 0;
  while (out.length < iterations) {
    if (order.length < B) {
      const u = uniformArray(key(1000 * seed + epoch++), split.count);
      order = Array.from({ length: split.count }, (_, i) => i).sort((a, b) => (u[a] as number) - (u[b] as number));
    }
    out.push(order.splice(0, B));
  }
  return out;
}

/** One iteration of training, kept in the checkpoint state (cumulative times survive a resume). */
interface Step {
  iteration: number;
  loss: number;
  nll: number;
  kl?: number;
  seconds: number;
  cpuSeconds: number;
}
interface Curve {
  iteration: number;
  loss: number;
  nll: number;
  kl?: number;
}

async function fit(
  label: string,
  model: SDEBNN | ODENet,
  plan: readonly number[][],
  seed: number,
  dir: string,
): Promise<{ curve: Curve[]; seconds: number; cpuSeconds: number }> {
  const trainer = new Trainer(model, { learningRate: BUDGET.learningRate, clipNorm: BUDGET.clipNorm });
  const checkpoints = new Checkpoints<Step>(dir, { model: { module: model, optimizer: trainer.optimizer } }, BUDGET.checkpointEvery);
  const state = await checkpoints.resume();
  const last = state.history[state.history.length - 1];
  const before = { seconds: last?.seconds ?? 0, cpuSeconds: last?.cpuSeconds ?? 0 };
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  let avg = 0;
  state.history.forEach((h, i) => (avg = i === 0 ? h.loss : 0.98 * avg + 0.02 * h.loss));
  const total = plan.length;
  for (let i = state.next; i < total; i++) {
    trainer.learningRate = BUDGET.learningRate * (0.03 + 0.97 * 0.5 * (1 + Math.cos((Math.PI * i) / total)));
    const { x, y } = fashionBatch(train, plan[i] as number[]);
    const r = trainer.step((): { loss: tf.Scalar; extras: Record<string, tf.Scalar> } => {
      if (model instanceof SDEBNN) {
        const p = model.loss(x, y, {
          key: fold(key(seed + 1), i),
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
    const kl = r.extras.kl;
    const seconds = before.seconds + (Date.now() - t0) / 1000;
    state.history.push({
      iteration: i,
      loss: r.loss,
      nll: r.extras.nll as number,
      ...(kl !== undefined ? { kl } : {}),
      seconds,
      cpuSeconds: before.cpuSeconds + process.cpuUsage(c0).user / 1e6,
    });
    state.next = i + 1;
    if (i % 100 === 0 || i === total - 1) {
      console.log(
        `[${label}] ${i + 1}/${total} loss(avg) ${avg.toFixed(4)} ${kl !== undefined ? `kl ${kl.toFixed(1)} ` : ''}${seconds.toFixed(0)} s, tensors ${tf.memory().numTensors}`,
      );
    }
    await checkpoints.maybeSave(state, total);
  }
  trainer.dispose();
  const end = state.history[state.history.length - 1];
  const curve = state.history
    .filter((h) => h.iteration % 25 === 0 || h.iteration === total - 1)
    .map(({ iteration, loss, nll, kl }) => ({ iteration, loss, nll, ...(kl !== undefined ? { kl } : {}) }));
  return { curve, seconds: end?.seconds ?? 0, cpuSeconds: end?.cpuSeconds ?? 0 };
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
async function evaluate(model: SDEBNN | ODENet, samples: number, seed: number): Promise<Evaluation & { diagram: ReliabilityDiagram }> {
  const t0 = Date.now();
  const x = tf.tensor4d(test.images, [test.count, 28, 28, 1]);
  const pred = await predictProbs(model, x, { samples, seed: 12345 + seed, batchSize: 1000 });
  x.dispose();
  const probs = tf.tensor2d(pred.probs, [test.count, pred.classes]);
  const labels = Array.from(test.labels);
  const diagram = await reliabilityDiagram(probs, labels, { bins: 15 });
  const nll = await negativeLogLikelihood(probs, labels);
  const brier = await brierScore(probs, labels);
  probs.dispose();
  return {
    accuracy: diagram.accuracy,
    nll,
    ece: diagram.ece,
    mce: diagram.mce,
    brier,
    meanConfidence: diagram.confidence,
    meanEntropy: pred.entropy.reduce((a, b) => a + b, 0) / test.count,
    meanMutualInformation: pred.mutualInformation.reduce((a, b) => a + b, 0) / test.count,
    samples: pred.samples,
    evalSeconds: (Date.now() - t0) / 1000,
    diagram,
  };
}

/** What one (seed, model) run keeps in `seed-<s>/<model>/result.json`. */
interface VariantResult extends Evaluation {
  seed: number;
  variant: Variant;
  iterations: number;
  parameters: number;
  trainSeconds: number;
  trainCpuSeconds: number;
  curve: Curve[];
  /** The reliability diagram (empty bins have null confidence and accuracy once read back). */
  diagram: ReliabilityDiagram;
}

async function runVariant(seed: number, variant: Variant, plan: readonly number[][], dir: string): Promise<VariantResult> {
  const label = `seed ${seed} ${variant}`;
  const model = build(seed, variant);
  const fitted = await fit(label, model, plan, seed, dir);
  const evaluation = await evaluate(model, model instanceof SDEBNN ? BUDGET.mcSamples : 1, seed);
  const parameters = model.parameters().reduce((a, v) => a + v.size, 0);
  model.dispose();
  const { diagram, ...metrics } = evaluation;
  console.log(`[${label}] test`, metrics);
  return {
    seed,
    variant,
    iterations: plan.length,
    parameters,
    ...metrics,
    trainSeconds: fitted.seconds,
    trainCpuSeconds: fitted.cpuSeconds,
    curve: fitted.curve,
    diagram,
  };
}

/** Refuse a folder trained with another recipe (its checkpoints and result would not match this budget). */
function checkRecipe(dir: string, seed: number, variant: Variant): void {
  const { checkpointEvery: _every, ...recipe } = BUDGET;
  const text = `${JSON.stringify({ seed, variant, ...recipe }, null, 2)}\n`;
  const path = `${dir}recipe.json`;
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8') !== text) throw new Error(`${path} holds another budget than this run's; delete ${dir} to retrain.`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, text);
}

interface SeedResults {
  seed: number;
  sdeBnn: VariantResult;
  sdeBnnStl: VariantResult;
  odeNet: VariantResult;
}
const runStart = Date.now();
const perSeed: SeedResults[] = [];
for (const seed of SEEDS) {
  const plan = batches(train, BUDGET.iterations, BUDGET.batch, seed);
  const get = (variant: Variant): Promise<VariantResult> => {
    const dir = `${OUT}seed-${seed}/${variant}/`;
    checkRecipe(dir, seed, variant);
    return cachedResult(`${dir}result.json`, () => runVariant(seed, variant, plan, dir));
  };
  // The claim's two models first, then the STL variant.
  const sdeBnn = await get('sde-bnn');
  const odeNet = await get('ode-net');
  const sdeBnnStl = await get('sde-bnn-stl');
  perSeed.push({ seed, sdeBnn, sdeBnnStl, odeNet });
}

type Part = 'sdeBnn' | 'sdeBnnStl' | 'odeNet';
const PARTS: Record<Part, Variant> = { sdeBnn: 'sde-bnn', sdeBnnStl: 'sde-bnn-stl', odeNet: 'ode-net' };
const over = (part: Part, metric: 'accuracy' | 'nll' | 'ece' | 'mce' | 'brier' | 'trainSeconds'): SeedSummary =>
  summarise(perSeed.map((r) => r[part][metric]));
const summaryOf = (
  part: Part,
): { accuracy: SeedSummary; nll: SeedSummary; ece: SeedSummary; mce: SeedSummary; brier: SeedSummary; trainSeconds: SeedSummary } => ({
  accuracy: over(part, 'accuracy'),
  nll: over(part, 'nll'),
  ece: over(part, 'ece'),
  mce: over(part, 'mce'),
  brier: over(part, 'brier'),
  trainSeconds: over(part, 'trainSeconds'),
});
const summary = { sdeBnn: summaryOf('sdeBnn'), sdeBnnStl: summaryOf('sdeBnnStl'), odeNet: summaryOf('odeNet') };

const claim = reportClaim({
  statement: 'SDE-BNN reaches ≥ 88% test accuracy and a lower ECE than the ODE-net on every seed (Xu et al. 2022)',
  // Holds only if both parts hold on every seed, not just on average.
  holds: perSeed.every((r) => r.sdeBnn.accuracy >= ACCURACY_TARGET && r.sdeBnn.ece < r.odeNet.ece),
  metric: `test accuracy and ECE (15 equal-width bins) on ${test.count} Fashion-MNIST test images; SDE-BNN with ${BUDGET.mcSamples} MC weight paths, ODE-net deterministic; ours/baseline: ECE`,
  ours: summary.sdeBnn.ece,
  baseline: summary.odeNet.ece,
  seeds: SEEDS,
  budget: { ...BUDGET, backend },
});

// STL against the standard estimator: no worse = seed-mean accuracy at most 0.5 pp lower and seed-mean ECE not higher.
const stlAccuracyDrop = summary.sdeBnn.accuracy.mean - summary.sdeBnnStl.accuracy.mean;
const stl = {
  statement:
    'The sticking-the-landing KL estimator is no worse than the standard one: seed-mean test accuracy at most 0.5 pp lower and seed-mean ECE not higher',
  stlNoWorse: stlAccuracyDrop <= 0.005 && summary.sdeBnnStl.ece.mean <= summary.sdeBnn.ece.mean,
  accuracy: { stl: summary.sdeBnnStl.accuracy, standard: summary.sdeBnn.accuracy },
  ece: { stl: summary.sdeBnnStl.ece, standard: summary.sdeBnn.ece },
  accuracyDifferencePerSeed: perSeed.map((r) => r.sdeBnnStl.accuracy - r.sdeBnn.accuracy),
  eceDifferencePerSeed: perSeed.map((r) => r.sdeBnnStl.ece - r.sdeBnn.ece),
  seedsStlAccuracyHigher: perSeed.filter((r) => r.sdeBnnStl.accuracy > r.sdeBnn.accuracy).length,
  seedsStlEceLower: perSeed.filter((r) => r.sdeBnnStl.ece < r.sdeBnn.ece).length,
  stlTrainSeconds: summary.sdeBnnStl.trainSeconds.mean,
  standardTrainSeconds: summary.sdeBnn.trainSeconds.mean,
};
console.log(`STL CHECK ${stl.stlNoWorse ? 'HOLDS' : 'DOES NOT HOLD'}: ${stl.statement}`);

const strip = (r: VariantResult): Omit<VariantResult, 'curve' | 'diagram' | 'seed' | 'variant'> => {
  const { curve: _c, diagram: _d, seed: _s, variant: _v, ...rest } = r;
  return rest;
};
const first = perSeed[0] as SeedResults;
const bins = (r: VariantResult): { confidence: number; accuracy: number; count: number }[] =>
  r.diagram.bins.filter((b) => b.count > 0).map((b) => ({ confidence: b.confidence, accuracy: b.accuracy, count: b.count }));
const results = {
  claim,
  stl,
  summary,
  perSeed: perSeed.map((r) => ({ seed: r.seed, sdeBnn: strip(r.sdeBnn), sdeBnnStl: strip(r.sdeBnnStl), odeNet: strip(r.odeNet) })),
  backend,
  machine: '2 shared CPU cores (load from other jobs), wasm backend (single-threaded)',
  budget: BUDGET,
  seeds: SEEDS,
  epochs: (BUDGET.iterations * BUDGET.batch) / train.count,
  weightDim: field.layout.size,
  parameters: { sdeBnn: first.sdeBnn.parameters, sdeBnnStl: first.sdeBnnStl.parameters, odeNet: first.odeNet.parameters },
  plotsSeed: first.seed,
  reliability: { 'sde-bnn': bins(first.sdeBnn), 'sde-bnn-stl': bins(first.sdeBnnStl), 'ode-net': bins(first.odeNet) },
  curves: { sdeBnn: first.sdeBnn.curve, sdeBnnStl: first.sdeBnnStl.curve, odeNet: first.odeNet.curve },
  totalSeconds: (Date.now() - runStart) / 1000,
};
writeJson(`${OUT}results.json`, results);

for (const part of Object.keys(PARTS) as Part[]) {
  const r = first[part];
  writeText(
    `${OUT}reliability-${PARTS[part]}.svg`,
    reliabilityDiagramSvg(r.diagram, {
      title: `${PARTS[part]} (seed ${first.seed}): accuracy ${(100 * r.accuracy).toFixed(2)}%, ECE ${r.ece.toFixed(4)}`,
    }),
  );
}
const diag = (r: VariantResult): { x: number[]; y: number[] } => ({
  x: bins(r).map((b) => b.confidence),
  y: bins(r).map((b) => b.accuracy),
});
writeText(
  `${OUT}reliability.svg`,
  await lineChart(
    [
      { name: 'perfect calibration', x: [0, 1], y: [0, 1] },
      { name: `SDE-BNN (ECE ${first.sdeBnn.ece.toFixed(4)})`, ...diag(first.sdeBnn) },
      { name: `SDE-BNN STL (ECE ${first.sdeBnnStl.ece.toFixed(4)})`, ...diag(first.sdeBnnStl) },
      { name: `ODE-net (ECE ${first.odeNet.ece.toFixed(4)})`, ...diag(first.odeNet) },
    ],
    {
      title: `Fashion-MNIST reliability diagram (15 bins, seed ${first.seed})`,
      xLabel: 'confidence',
      yLabel: 'accuracy',
      mark: 'linepoint',
      width: 420,
      height: 420,
    },
  ),
);
const lossSeries = (name: string, r: VariantResult): { name: string; x: number[]; y: number[] } => ({
  name,
  x: r.curve.map((c) => c.iteration),
  y: r.curve.map((c) => c.loss),
});
writeText(
  `${OUT}training.svg`,
  await lineChart(
    [
      lossSeries('SDE-BNN −ELBO/N', first.sdeBnn),
      lossSeries('SDE-BNN STL −ELBO/N', first.sdeBnnStl),
      lossSeries('ODE-net NLL', first.odeNet),
    ],
    { title: `Fashion-MNIST training loss (seed ${first.seed})`, xLabel: 'iteration', yLabel: 'loss', logY: true },
  ),
);

const pm = (s: SeedSummary, digits: number, scale = 1): string =>
  `${(scale * s.mean).toFixed(digits)} ± ${(scale * s.std).toFixed(digits)}`;
const summaryRow = (part: Part): string => {
  const s = summary[part];
  return `| ${LABEL[PARTS[part]]} | ${pm(s.accuracy, 2, 100)} % | ${pm(s.nll, 4)} | ${pm(s.ece, 4)} | ${pm(s.brier, 4)} | ${first[part].samples} | ${s.trainSeconds.mean.toFixed(0)} s |`;
};
const seedRow = (seed: number, part: Part, r: VariantResult): string =>
  `| ${seed} | ${LABEL[PARTS[part]]} | ${(100 * r.accuracy).toFixed(2)} % | ${r.nll.toFixed(4)} | ${r.ece.toFixed(4)} | ${r.brier.toFixed(4)} | ${r.trainSeconds.toFixed(0)} s |`;
writeFileSync(
  `${OUT}results.md`,
  [
    `# Fashion-MNIST: SDE-BNN vs ODE-net (${test.count} test images, seeds ${SEEDS.join(', ')})`,
    '',
    `Budget: ${BUDGET.iterations} iterations × batch ${BUDGET.batch} (${results.epochs.toFixed(2)} epochs) per model and seed, wasm backend, 2 shared CPU cores.`,
    '',
    `**Claim ${claim.holds ? 'holds' : 'does not hold'}**: ${claim.statement}.`,
    '',
    `**STL check ${stl.stlNoWorse ? 'holds' : 'does not hold'}**: ${stl.statement} (accuracy ${pm(stl.accuracy.stl, 2, 100)} % vs ${pm(stl.accuracy.standard, 2, 100)} %, ECE ${pm(stl.ece.stl, 4)} vs ${pm(stl.ece.standard, 4)}).`,
    '',
    `Mean ± std over ${SEEDS.length} seed${SEEDS.length === 1 ? '' : 's'}:`,
    '',
    '| model | accuracy | NLL | ECE | Brier | MC samples | train wall (mean) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    summaryRow('sdeBnn'),
    summaryRow('sdeBnnStl'),
    summaryRow('odeNet'),
    '',
    'Per seed:',
    '',
    '| seed | model | accuracy | NLL | ECE | Brier | train wall |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...perSeed.flatMap((r) => (['sdeBnn', 'sdeBnnStl', 'odeNet'] as const).map((part) => seedRow(r.seed, part, r[part]))),
    '',
    `Reliability diagrams and training curves: seed ${first.seed}.`,
    '',
  ].join('\n'),
);
console.log(`[sde-bnn-fashion] wrote ${OUT} in ${results.totalSeconds.toFixed(0)} s`);
