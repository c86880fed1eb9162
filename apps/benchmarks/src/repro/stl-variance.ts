/**
 * Sticking the landing for SDEs (Xu et al. 2022; the talk's "asymptotically-zero variance gradient
 * estimator"): gradient variance of the ELBO with the STL path estimator vs the standard one.
 *
 * A problem with a known true posterior: prior dz = σ dW, z(0) = 0 on [0, 1]; one observation
 * x ~ N(z(1), s²). The exact posterior SDE has drift (x − z)/(s²/σ² + 1 − t), so the family
 * f_φ(t, z) = a (x − z)/(b + 1 − t) contains it at a = 1, b = s²/σ². We estimate the variance of
 * ∂(−ELBO)/∂(a, b) over independent Brownian draws at the optimum and away from it. At the optimum the
 * STL estimator's variance should vanish (up to Euler discretisation error), the standard one's not.
 * We also report the ratio for a randomly initialised LatentSDE on the OU data.
 *
 * Over training (the talk's plot): the bridge posterior is trained from (a, b) = (0.5, 1) with Adam and
 * the STL estimator, and both estimators' variances are measured at the current parameters at several
 * iterations; a LatentSDE on the OU data likewise (trained with the standard estimator). The claim is
 * computed: STL's variance is below the standard one's at every measured point of the bridge's
 * training after the start, and below a tenth of it at the end.
 *
 * Each part's numbers are cached in results/repro/stl-variance/part-*.json: a stopped run resumes
 * at the first unfinished part (each takes minutes). Delete them to rerun.
 *   cd apps/benchmarks && node --import tsx src/repro/stl-variance.ts
 */
import * as tf from '@tensorflow/tfjs';
import { BrownianPath } from '@nde/brownian';
import { lineChart, writeText } from '@nde/plot';
import { LatentSDE, gaussianLogLikelihood, ouProcess, posteriorPathKL } from '@nde/latent-models';
import { Adam, stopGradient, trainableVariables } from '@nde/nn';
import { outDir, start, writeJson } from './common.js';
import { cachedResult, reportClaim } from './resumable.js';

const BUDGET = {
  replicates: 64,
  pathsPerEstimate: 16,
  dt: 0.01,
  latentSdeReplicates: 32,
  seed: 0,
  bridgeTrainIterations: 300,
  bridgeLearningRate: 0.02,
  latentSdeTrainIterations: 300,
};
const BRIDGE_CHECKPOINTS = [0, 25, 50, 100, 200, 300];
const LATENT_SDE_CHECKPOINTS = [0, 50, 150, 300];
const backend = await start('stl-variance', BUDGET);
const dir = outDir('stl-variance');
const t0 = Date.now();
const sigma = 1;
const s = 0.5;
const x = 1.5;
const times = [0, 1];

/** Total variance (sum over parameters) of gradient estimates: rows = replicates. */
function totalVariance(rows: number[][]): number {
  const P = (rows[0] as number[]).length;
  let v = 0;
  for (let p = 0; p < P; p++) {
    const xs = rows.map((r) => r[p] as number);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    v += xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  }
  return v;
}

/** −ELBO of the bridge posterior f = a (x − z)/(b + 1 − t) over N paths of the Brownian motion with `key`. */
function bridgeLoss(a: tf.Variable, b: tf.Variable, stl: boolean, key: number): tf.Scalar {
  const N = BUDGET.pathsPerEstimate;
  const bm = new BrownianPath({ t0: 0, t1: 1, shape: [N, 1], key });
  const drift = (t: number, z: tf.Tensor, detach: boolean): tf.Tensor => {
    const av = detach ? stopGradient(a as tf.Tensor) : a;
    const bv = detach ? stopGradient(b as tf.Tensor) : b;
    return tf.div(tf.mul(av, tf.sub(x, z)), tf.add(bv, 1 - t));
  };
  const { zs, logqp } = posteriorPathKL({
    posteriorDrift: drift,
    priorDrift: (_t, z) => tf.zerosLike(z),
    diffusion: (_t, z) => tf.fill(z.shape, sigma),
    z0: tf.zeros([N, 1]) as tf.Tensor2D,
    times,
    dt: BUDGET.dt,
    bm,
    stl,
  });
  const zT = tf.reshape(tf.slice(zs, [1, 0, 0], [1, N, 1]), [N, 1]);
  const ll = gaussianLogLikelihood(tf.fill([N, 1], x), zT, s);
  return tf.neg(tf.mean(tf.sub(ll, logqp))) as tf.Scalar;
}

/** Gradient estimates of −ELBO in (a, b) at the variables' current values, one row per Brownian replicate. */
function bridgeGradRows(a: tf.Variable, b: tf.Variable, stl: boolean): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < BUDGET.replicates; r++) {
    const { grads, value } = tf.variableGrads(() => bridgeLoss(a, b, stl, BUDGET.seed * 100003 + r), [a, b]);
    rows.push([grads[a.name]?.dataSync()[0] as number, grads[b.name]?.dataSync()[0] as number]);
    tf.dispose([grads, value]);
  }
  return rows;
}

function bridgeGrads(aInit: number, bInit: number, stl: boolean): number[][] {
  const a = tf.variable(tf.scalar(aInit));
  const b = tf.variable(tf.scalar(bInit));
  const rows = bridgeGradRows(a, b, stl);
  a.dispose();
  b.dispose();
  return rows;
}

const bStar = (s * s) / (sigma * sigma);
const points = [
  { name: 'optimum (q = true posterior)', a: 1, b: bStar },
  { name: 'near optimum (a = 0.9)', a: 0.9, b: bStar },
  { name: 'away from optimum (a = 0.5, b = 1)', a: 0.5, b: 1 },
];
type BridgePoint = { point: string; a: number; b: number; varianceStandard: number; varianceSTL: number; ratioSTLOverStandard: number };
const bridge = await cachedResult<BridgePoint[]>(`${dir}part-fixed-points.json`, async () =>
  points.map((p) => {
    const std = totalVariance(bridgeGrads(p.a, p.b, false));
    const stl = totalVariance(bridgeGrads(p.a, p.b, true));
    console.log(
      `${p.name}: var standard ${std.toExponential(3)}, STL ${stl.toExponential(3)}, ratio STL/standard ${(stl / std).toExponential(3)}`,
    );
    return { point: p.name, a: p.a, b: p.b, varianceStandard: std, varianceSTL: stl, ratioSTLOverStandard: stl / std };
  }),
);

/** Both estimators' total variances over training of the bridge posterior (Adam with the STL estimator). */
interface TrainingPoint {
  iteration: number;
  a: number;
  b: number;
  varianceStandard: number;
  varianceSTL: number;
  ratioSTLOverStandard: number;
}
const bridgeTraining = await cachedResult<TrainingPoint[]>(`${dir}part-bridge-training.json`, async () => {
  const a = tf.variable(tf.scalar(0.5));
  const b = tf.variable(tf.scalar(1));
  const opt = new Adam({ learningRate: BUDGET.bridgeLearningRate });
  const out: TrainingPoint[] = [];
  for (let i = 0; i <= BUDGET.bridgeTrainIterations; i++) {
    if (BRIDGE_CHECKPOINTS.includes(i)) {
      const std = totalVariance(bridgeGradRows(a, b, false));
      const stl = totalVariance(bridgeGradRows(a, b, true));
      const point = {
        iteration: i,
        a: a.dataSync()[0] as number,
        b: b.dataSync()[0] as number,
        varianceStandard: std,
        varianceSTL: stl,
        ratioSTLOverStandard: stl / std,
      };
      console.log(`bridge training ${JSON.stringify(point)}`);
      out.push(point);
    }
    // Training draws are disjoint from the variance replicates' keys.
    if (i < BUDGET.bridgeTrainIterations) opt.step(() => bridgeLoss(a, b, true, 7_000_000 + i), [a, b]);
  }
  tf.dispose([a, b]);
  opt.dispose();
  return out;
});

// A LatentSDE on the OU data, from its random initialisation through training (standard estimator).
const latentSdeTraining = await cachedResult<TrainingPoint[]>(`${dir}part-latent-sde-training.json`, async () => {
  const { batch } = ouProcess({ n: 16, nTimes: 20, seed: 1 });
  const model = new LatentSDE({ dataDim: 1, latentDim: 2, dt: 0.05, seed: 3 });
  const vars = trainableVariables(model);
  const lsdeRows = (stl: boolean): number[][] => {
    const rows: number[][] = [];
    for (let r = 0; r < BUDGET.latentSdeReplicates; r++) {
      const { grads, value } = tf.variableGrads(() => model.elbo(batch, { seed: 500 + r, stl }).loss, vars);
      rows.push(vars.flatMap((v) => Array.from(grads[v.name]?.dataSync() ?? [])));
      tf.dispose([grads, value]);
    }
    return rows;
  };
  const opt = new Adam({ learningRate: 1e-2 });
  const out: TrainingPoint[] = [];
  for (let i = 0; i <= BUDGET.latentSdeTrainIterations; i++) {
    if (LATENT_SDE_CHECKPOINTS.includes(i)) {
      const std = totalVariance(lsdeRows(false));
      const stl = totalVariance(lsdeRows(true));
      const point = { iteration: i, a: NaN, b: NaN, varianceStandard: std, varianceSTL: stl, ratioSTLOverStandard: stl / std };
      console.log(`latent SDE training ${JSON.stringify(point)}`);
      out.push(point);
    }
    if (i < BUDGET.latentSdeTrainIterations) opt.step(() => model.elbo(batch, { seed: 9_000_000 + i }).loss, model);
  }
  opt.dispose();
  model.dispose();
  return out;
});
const atInit = latentSdeTraining[0] as TrainingPoint;
const lStd = atInit.varianceStandard;
const lStl = atInit.varianceSTL;
const afterStart = bridgeTraining.filter((p) => p.iteration > 0);
const lastBridge = bridgeTraining[bridgeTraining.length - 1] as TrainingPoint;
const claim = reportClaim({
  statement:
    'Sticking the landing lowers the ELBO gradient variance during training and drives it toward 0 as q reaches the true posterior (Xu et al. 2022; the talk)',
  holds: afterStart.every((p) => p.ratioSTLOverStandard < 1) && lastBridge.ratioSTLOverStandard < 0.1,
  metric:
    'total gradient variance ratio STL / standard over 64 Brownian replicates, bridge posterior, at iterations ' +
    BRIDGE_CHECKPOINTS.join(', '),
  ours: lastBridge.ratioSTLOverStandard,
  baseline: 1,
  seeds: [BUDGET.seed],
  budget: BUDGET,
});
const results = {
  claim,
  backend,
  budget: BUDGET,
  problem: { prior: 'dz = σ dW, z0 = 0, t ∈ [0, 1]', sigma, obsStd: s, x, optimum: { a: 1, b: bStar } },
  bridge,
  bridgeTraining,
  latentSdeAtInit: { varianceStandard: lStd, varianceSTL: lStl, ratioSTLOverStandard: lStl / lStd },
  latentSdeTraining,
  seconds: (Date.now() - t0) / 1000,
};
console.log(JSON.stringify(results, null, 2));
writeJson(`${dir}results.json`, results);
writeText(
  `${dir}variance.svg`,
  await lineChart(
    [
      { name: 'standard', x: bridge.map((_, i) => i), y: bridge.map((r) => r.varianceStandard) },
      { name: 'sticking the landing', x: bridge.map((_, i) => i), y: bridge.map((r) => Math.max(r.varianceSTL, 1e-12)) },
    ],
    {
      title: 'ELBO gradient variance: 0 = optimum, 1 = a 0.9, 2 = a 0.5, b 1',
      xLabel: 'parameter point',
      yLabel: 'total gradient variance',
      logY: true,
      mark: 'linepoint',
    },
  ),
);
writeText(
  `${dir}variance-over-training.svg`,
  await lineChart(
    [
      { name: 'bridge: standard', x: bridgeTraining.map((p) => p.iteration), y: bridgeTraining.map((p) => p.varianceStandard) },
      { name: 'bridge: STL', x: bridgeTraining.map((p) => p.iteration), y: bridgeTraining.map((p) => Math.max(p.varianceSTL, 1e-12)) },
    ],
    {
      title: 'ELBO gradient variance while training the bridge posterior',
      xLabel: 'iteration',
      yLabel: 'total gradient variance',
      logY: true,
      mark: 'linepoint',
    },
  ),
);
console.log(`wrote ${dir}`);
