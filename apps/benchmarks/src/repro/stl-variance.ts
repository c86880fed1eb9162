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
 *   cd apps/benchmarks && node --import tsx src/repro/stl-variance.ts
 */
import * as tf from '@tensorflow/tfjs';
import { BrownianPath } from '@nde/brownian';
import { lineChart, writeText } from '@nde/plot';
import { LatentSDE, gaussianLogLikelihood, ouProcess, posteriorPathKL } from '@nde/latent-models';
import { stopGradient, trainableVariables } from '@nde/nn';
import { outDir, start, writeJson } from './common.js';

const BUDGET = { replicates: 64, pathsPerEstimate: 16, dt: 0.01, latentSdeReplicates: 32, seed: 0 };
const backend = await start('stl-variance', BUDGET);
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

function bridgeGrads(aInit: number, bInit: number, stl: boolean): number[][] {
  const a = tf.variable(tf.scalar(aInit));
  const b = tf.variable(tf.scalar(bInit));
  const rows: number[][] = [];
  for (let r = 0; r < BUDGET.replicates; r++) {
    const N = BUDGET.pathsPerEstimate;
    const bm = new BrownianPath({ t0: 0, t1: 1, shape: [N, 1], key: BUDGET.seed * 100003 + r });
    const { grads, value } = tf.variableGrads(() => {
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
    }, [a, b]);
    rows.push([grads[a.name]?.dataSync()[0] as number, grads[b.name]?.dataSync()[0] as number]);
    tf.dispose([grads, value]);
  }
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
const bridge = points.map((p) => {
  const std = totalVariance(bridgeGrads(p.a, p.b, false));
  const stl = totalVariance(bridgeGrads(p.a, p.b, true));
  console.log(
    `${p.name}: var standard ${std.toExponential(3)}, STL ${stl.toExponential(3)}, ratio STL/standard ${(stl / std).toExponential(3)}`,
  );
  return { point: p.name, a: p.a, b: p.b, varianceStandard: std, varianceSTL: stl, ratioSTLOverStandard: stl / std };
});

// A randomly initialised LatentSDE on the OU data (far from the optimum: STL need not help here).
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
const lStd = totalVariance(lsdeRows(false));
const lStl = totalVariance(lsdeRows(true));
const results = {
  claim: 'STL gradient variance → 0 as q → true posterior; the standard estimator does not (talk, ICML 2021)',
  backend,
  budget: BUDGET,
  problem: { prior: 'dz = σ dW, z0 = 0, t ∈ [0, 1]', sigma, obsStd: s, x, optimum: { a: 1, b: bStar } },
  bridge,
  latentSdeAtInit: { varianceStandard: lStd, varianceSTL: lStl, ratioSTLOverStandard: lStl / lStd },
  seconds: (Date.now() - t0) / 1000,
};
console.log(JSON.stringify(results, null, 2));
const dir = outDir('stl-variance');
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
console.log(`wrote ${dir}`);
