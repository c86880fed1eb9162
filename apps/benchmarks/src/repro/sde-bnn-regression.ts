/**
 * The 1-D regression toy of SDE-BNNs: y = sin(3x) + 0.3x + noise observed on [−1.5, −0.5] ∪ [0.5, 1.5].
 * An SDE-BNN (Linear 1→8, MLP-width block 8→16→8 with OU prior, Linear 8→1) is trained on the ELBO;
 * the predictive mean ± 2 std over 64 weight paths is plotted on [−3, 3], with the deterministic
 * ODE-net of the same architecture for comparison. Reports the predictive std inside the data, in
 * the gap and outside it.
 *   cd apps/benchmarks && node --import tsx src/repro/sde-bnn-regression.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Linear, useBackend } from '@nde/core';
import { fold, key } from '@nde/brownian';
import { lineChart, writeText } from '@nde/plot';
import { MLPWeightField, ODENet, SDEBNN, SDEBNNBlock, Trainer, predictRegression, regressionToy } from '@nde/sde-bnn';

const BUDGET = {
  points: 80,
  iterations: 1500,
  groups: 8,
  hidden: 8,
  width: 16,
  sigma: 0.5,
  theta: 1,
  steps: 8,
  obsStd: 0.05,
  learningRate: 1e-2,
  samples: 64,
  seed: 0,
};
const OUT = fileURLToPath(new URL('../../results/repro/sde-bnn-regression/', import.meta.url));
mkdirSync(OUT, { recursive: true });
const info = await useBackend('wasm');
console.log(`[sde-bnn-regression] backend ${info.name}; budget ${JSON.stringify(BUDGET)}`);
const t0 = Date.now();
const data = regressionToy({ n: BUDGET.points, noise: BUDGET.obsStd, seed: BUDGET.seed });
const x = tf.tensor2d(data.x, [BUDGET.points, 1]);
const y = tf.tensor2d(data.y, [BUDGET.points, 1]);
const likelihood = { kind: 'gaussian' as const, std: BUDGET.obsStd };
const field = new MLPWeightField({ features: BUDGET.hidden, width: BUDGET.width });
const model = new SDEBNN({
  input: new Linear({ inFeatures: 1, outFeatures: BUDGET.hidden, seed: 1 }),
  block: new SDEBNNBlock({ field, prior: { sigma: BUDGET.sigma, theta: BUDGET.theta }, steps: BUDGET.steps, method: 'midpoint', seed: 2 }),
  output: new Linear({ inFeatures: BUDGET.hidden, outFeatures: 1, seed: 3 }),
});
const ode = new ODENet({
  input: new Linear({ inFeatures: 1, outFeatures: BUDGET.hidden, seed: 1 }),
  field,
  output: new Linear({ inFeatures: BUDGET.hidden, outFeatures: 1, seed: 3 }),
  steps: BUDGET.steps,
  seed: 2,
});
const tr = new Trainer(model, { learningRate: BUDGET.learningRate, clipNorm: 50 });
const to = new Trainer(ode, { learningRate: BUDGET.learningRate, clipNorm: 50 });
const curve: { iteration: number; loss: number; nll: number; kl: number; odeNll: number }[] = [];
// Every group sees all points (the batch is the data set repeated once per weight path).
const xr = tf.tile(x, [BUDGET.groups, 1]);
const yr = tf.tile(y, [BUDGET.groups, 1]);
for (let i = 0; i < BUDGET.iterations; i++) {
  const lr = BUDGET.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * i) / BUDGET.iterations)));
  tr.learningRate = lr;
  to.learningRate = lr;
  const klWeight = Math.min(1, i / 300);
  const r = tr.step(() => {
    const p = model.loss(xr, yr, {
      key: fold(key(BUDGET.seed + 1), i),
      groups: BUDGET.groups,
      likelihood,
      datasetSize: BUDGET.points,
      klWeight,
    });
    return { loss: p.loss, extras: { nll: p.nll, kl: p.kl } };
  });
  const ro = to.step(() => ({ loss: ode.loss(x, y, likelihood).loss }));
  if (i % 50 === 0 || i === BUDGET.iterations - 1) {
    curve.push({ iteration: i, loss: r.loss, nll: r.extras.nll as number, kl: r.extras.kl as number, odeNll: ro.loss });
    if (i % 250 === 0)
      console.log(
        `[sde-bnn-regression] ${i} −ELBO/N ${r.loss.toFixed(3)} nll ${(r.extras.nll as number).toFixed(3)} kl ${(r.extras.kl as number).toFixed(2)} | ode nll ${ro.loss.toFixed(3)} tensors ${tf.memory().numTensors}`,
      );
  }
}
tf.dispose([xr, yr]);
const grid = Array.from({ length: 121 }, (_, i) => -3 + i * 0.05);
const xg = tf.tensor2d(grid, [grid.length, 1]);
const pred = await predictRegression(model, xg, { samples: BUDGET.samples, seed: 7 });
const predOde = await predictRegression(ode, xg, {});
xg.dispose();
const region = (lo: number, hi: number, abs = false): number => {
  const idx = grid
    .map((g, i) => [abs ? Math.abs(g) : g, i] as const)
    .filter(([g]) => g >= lo && g <= hi)
    .map(([, i]) => i);
  return idx.reduce((s, i) => s + (pred.std[i] as number), 0) / idx.length;
};
const std = { data: region(0.5, 1.5, true), gap: region(-0.3, 0.3), outside: region(2.2, 3, true) };
const mean = Array.from(pred.mean);
const sd = Array.from(pred.std);
writeText(
  `${OUT}regression.svg`,
  await lineChart(
    [
      {
        name: 'SDE-BNN mean ± 2 std (64 weight paths)',
        x: grid,
        y: mean,
        lo: mean.map((m, i) => m - 2 * (sd[i] as number)),
        hi: mean.map((m, i) => m + 2 * (sd[i] as number)),
      },
      { name: 'ODE-net', x: grid, y: Array.from(predOde.mean) },
      { name: 'truth', x: grid, y: grid.map(data.fn) },
    ],
    { title: '1-D regression: SDE-BNN predictive uncertainty', xLabel: 'x', yLabel: 'y', width: 560, height: 320 },
  ),
);
writeText(
  `${OUT}data.svg`,
  await lineChart([{ name: 'training data', x: Array.from(data.x), y: Array.from(data.y) }], { title: 'training data', mark: 'point' }),
);
writeText(
  `${OUT}std.svg`,
  await lineChart([{ name: 'predictive std', x: grid, y: sd }], {
    title: 'SDE-BNN predictive std (data on 0.5 ≤ |x| ≤ 1.5)',
    xLabel: 'x',
    yLabel: 'std',
  }),
);
const results = {
  backend: info.name,
  budget: BUDGET,
  seconds: (Date.now() - t0) / 1000,
  predictiveStd: std,
  uncertaintyGrowsAwayFromData: std.outside > std.data && std.gap > std.data,
  final: curve[curve.length - 1],
  curve,
  grid,
  mean,
  std: sd,
  odeMean: Array.from(predOde.mean),
  data: { x: Array.from(data.x), y: Array.from(data.y) },
};
writeFileSync(`${OUT}results.json`, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `[sde-bnn-regression] std: data ${std.data.toFixed(4)}, gap ${std.gap.toFixed(4)}, outside ${std.outside.toFixed(4)}; ${results.seconds.toFixed(0)} s`,
);
