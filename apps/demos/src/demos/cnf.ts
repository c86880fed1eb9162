/**
 * `pnpm demo cnf [--dataset 8gaussians|moons|circles|checkerboard|pinwheel|2spirals]`: train a continuous
 * normalizing flow (@nde/latent-models CNF, ConcatSquash MLP, exact trace, dopri5) on a 2-D toy density,
 * then write the learned density next to the true one (PNG), samples against data (SVG), the NLL curve
 * (SVG), a GIF of the density during training and a JSON of NLL / NFE / timings.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, useBackend } from '@nde/core';
import { CNF, ConcatSquashMLP, sampleToy2d, toy2dLogDensity, type Toy2dName } from '@nde/latent-models';
import { heatmap, lineChart, progressBar, upscale, writeText, type Rgba } from '@nde/plot';
import { densityPanelsSvg } from '../lib/charts.js';
import { writeGif } from '@nde/plot';
import { isQuick, logger, outDir, round, writeJson, type DemoOptions, type DemoResult } from '../lib/output.js';

const LIM = 4;

export async function run(o: DemoOptions & { dataset?: Toy2dName } = {}): Promise<DemoResult> {
  const quick = o.quick ?? isQuick();
  const log = logger(o);
  const dataset: Toy2dName = o.dataset ?? (process.env.NDE_DEMO_DATASET as Toy2dName | undefined) ?? '8gaussians';
  const out = outDir('cnf', o);
  await useBackend(o.backend ?? 'wasm');
  log(`backend: ${describeBackend()}`);
  const iters = quick ? 12 : 400;
  const batch = quick ? 128 : 256;
  const res = quick ? 24 : 48;
  const frameEvery = quick ? 6 : 25;
  const cnf = new CNF({
    field: new ConcatSquashMLP({ dim: 2, hidden: [32, 32], activation: 'tanh', seed: 0 }),
    T: 0.5,
    trace: 'exact',
    solver: 'dopri5',
    rtol: 1e-3,
    atol: 1e-3,
    seed: 1,
  });
  const opt = tf.train.adam(quick ? 1e-2 : 5e-3);
  log(
    `data: '${dataset}' (FFJORD toy), batches of ${batch}; model: CNF, ConcatSquash MLP 2-32-32-2 tanh, T = 0.5, exact trace, dopri5 rtol/atol 1e-3; ${iters} Adam steps`,
  );

  // Evaluation grid over [-LIM, LIM]², row 0 at the top.
  const gx = Array.from({ length: res }, (_, i) => -LIM + (2 * LIM * (i + 0.5)) / res);
  const gridPts = tf.tensor2d(gx.flatMap((_, r) => gx.map((x) => [x, gx[res - 1 - r]!])).flat(), [res * res, 2]);
  const trueLog = gx.flatMap((_, r) => gx.map((x) => toy2dLogDensity(dataset, x, gx[res - 1 - r]!) ?? NaN));
  const hasTrue = trueLog.every(Number.isFinite);
  const densityImage = (logp: ArrayLike<number>): Rgba => {
    const p = Array.from(logp, (v) => Math.exp(v));
    return upscale(heatmap(p, res, res), Math.round(240 / res));
  };
  const learnedLogp = (): Float32Array => {
    const lp = cnf.logProb(gridPts);
    const v = new Float32Array(lp.dataSync());
    lp.dispose();
    return v;
  };
  const test = tf.tensor2d(sampleToy2d(dataset, 1000, 999), [1000, 2]);
  const testNll = (): number => {
    const lp = cnf.logProb(test);
    const v = -tf.tidy(() => tf.mean(lp)).dataSync()[0]!;
    lp.dispose();
    return v;
  };
  const trueNll = hasTrue
    ? -Array.from(test.dataSync()).reduce((s, _, i, a) => (i % 2 === 0 ? s + toy2dLogDensity(dataset, a[i]!, a[i + 1]!)! : s), 0) / 1000
    : undefined;

  const frames: Rgba[] = [];
  const history: { iter: number; nll: number; nfeForward: number; ms: number }[] = [];
  const evals: { iter: number; testNll: number }[] = [{ iter: 0, testNll: round(testNll()) }];
  frames.push(densityImage(learnedLogp()));
  const bar = progressBar('cnf', iters);
  const started = performance.now();
  let trainMs = 0;
  for (let it = 1; it <= iters; it++) {
    const x = tf.tensor2d(sampleToy2d(dataset, batch, it), [batch, 2]);
    const t = performance.now();
    const nll = cnf.trainStep(opt, x);
    const ms = performance.now() - t;
    trainMs += ms;
    x.dispose();
    history.push({ iter: it, nll: round(nll), nfeForward: cnf.stats.nfeForward, ms: round(ms, 3) });
    if (it % frameEvery === 0 || it === iters) {
      frames.push(densityImage(learnedLogp()));
      evals.push({ iter: it, testNll: round(testNll()) });
    }
    bar.update(it, {
      NLL: nll.toFixed(3),
      'test NLL': evals.at(-1)!.testNll.toFixed(3),
      NFE: cnf.stats.nfeForward,
      'ms/it': (trainMs / it).toFixed(0),
    });
  }
  bar.stop();
  const seconds = (performance.now() - started) / 1000;

  const files: string[] = [];
  const file = (name: string): string => {
    const p = join(out, name);
    files.push(p);
    return p;
  };
  const final = learnedLogp();
  const panels = [
    ...(hasTrue ? [{ title: `true density ('${dataset}')`, logp: trueLog }] : []),
    { title: `learned density (CNF, ${iters} steps)`, logp: final },
  ];
  writeText(file('density.svg'), await densityPanelsSvg(`CNF on '${dataset}': density on [−${LIM}, ${LIM}]²`, panels, LIM, res));
  writeGif(file('training.gif'), frames, 250);
  const { x: samples } = cnf.sample(quick ? 300 : 1000, 7);
  const s = samples.dataSync();
  const d = sampleToy2d(dataset, quick ? 300 : 1000, 5);
  samples.dispose();
  const pick = (a: ArrayLike<number>, k: 0 | 1): number[] => Array.from(a).filter((_, i) => i % 2 === k);
  writeText(
    file('samples.svg'),
    await lineChart(
      [
        { name: 'data', x: pick(d, 0), y: pick(d, 1) },
        { name: 'CNF samples (base → data)', x: pick(s, 0), y: pick(s, 1) },
      ],
      { title: `CNF on '${dataset}': samples vs data`, xLabel: 'x₁', yLabel: 'x₂', mark: 'point', equalAxes: true, width: 420 },
    ),
  );
  writeText(
    file('nll.svg'),
    await lineChart(
      [
        { name: 'minibatch NLL', x: history.map((h) => h.iter), y: history.map((h) => h.nll) },
        { name: 'test NLL (1000 points)', x: evals.map((e) => e.iter), y: evals.map((e) => e.testNll) },
        ...(trueNll !== undefined ? [{ name: 'true density NLL', x: [0, iters], y: [trueNll, trueNll] }] : []),
      ],
      { title: `CNF training on '${dataset}' (nats)`, xLabel: 'iteration', yLabel: 'negative log-likelihood' },
    ),
  );
  const summary = {
    demo: 'cnf',
    quick,
    dataset,
    backend: describeBackend(),
    model: { field: 'ConcatSquashMLP 2-32-32-2 tanh', T: 0.5, trace: 'exact', solver: 'dopri5', rtol: 1e-3, atol: 1e-3 },
    iterations: iters,
    batch,
    initialTestNll: evals[0]!.testNll,
    finalTestNll: evals.at(-1)!.testNll,
    ...(trueNll !== undefined ? { trueDensityNll: round(trueNll) } : {}),
    nfeForwardMean: round(history.reduce((a, h) => a + h.nfeForward, 0) / iters),
    seconds: { total: round(seconds, 3), msPerIteration: round(trainMs / iters, 3) },
    densityPng: hasTrue ? 'left: true density, right: learned density' : 'learned density',
    evals,
    history,
  };
  writeJson(file('results.json'), summary);
  log(
    `test NLL ${summary.initialTestNll} → ${summary.finalTestNll} nats${trueNll !== undefined ? ` (true density: ${round(trueNll)})` : ''} in ${round(seconds, 3)} s`,
  );
  tf.dispose([gridPts, test]);
  cnf.dispose();
  opt.dispose();
  return { out, files, summary };
}
