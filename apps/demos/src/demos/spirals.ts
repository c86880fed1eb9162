/**
 * `pnpm demo spirals` (the default demo): train a neural ODE dy/dt = MLP(y³) with dopri5 through `solve`
 * on wasm to reproduce a cubic spiral (torchdiffeq's ode_demo), then write the phase portrait with the
 * learned vector field and trajectories (SVG + PNG), the loss curve (SVG), a GIF of training and a JSON
 * of losses, NFE and timings.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, useBackend } from '@nde/core';
import { lineChart, progressBar, writePng, writeText, type Rgba } from '@nde/plot';
import { writeGif } from '@nde/plot';
import { phasePortraitSvg } from '../lib/charts.js';
import { isQuick, logger, outDir, round, writeJson, type DemoOptions, type DemoResult } from '../lib/output.js';
import { Painter } from '../lib/raster.js';
import { mulberry32 } from '@nde/core';
import { NeuralODE, sampleBatch, type FieldSample } from '../shared/neural-ode.js';
import { groundTruth, spiral } from '../shared/problems.js';

const BOX = spiral.box;

function frame(field: FieldSample, truth: Float32Array, pred: Float32Array, fraction: number): Rgba {
  const p = new Painter(320, 320, BOX, [250, 250, 250]);
  p.field(field);
  p.polyline(truth, 2.5, [30, 30, 30], 0.55);
  p.polyline(pred, 2.2, [228, 26, 28]);
  p.dots(truth.subarray(0, 2), 4, [30, 30, 30]);
  p.progress(fraction);
  return p.img;
}

export async function run(o: DemoOptions = {}): Promise<DemoResult> {
  const quick = o.quick ?? isQuick();
  const log = logger(o);
  const out = outDir('spirals', o);
  const iters = quick ? 60 : 1500;
  const evalEvery = quick ? 15 : 50;
  const [batchSize, batchTime, nData] = [20, 10, 1000];
  const lr0 = 0.01;
  const lrEnd = quick ? 0.005 : 0.0005;

  await useBackend(o.backend ?? 'wasm');
  log(`backend: ${describeBackend()}`);
  const data = await groundTruth(spiral, nData);
  log(`data: ${nData} points of dy/dt = y³A on [0, ${spiral.t1}] from y0 = (${spiral.y0}), solved with dopri5 (rtol 1e-6)`);
  log(
    `model: dy/dt = MLP(y³), MLP 2-50-2 tanh; dopri5 rtol 1e-3 atol 1e-4; Adam lr ${lr0} → ${lrEnd}; ${iters} iterations of ${batchSize} windows × ${batchTime} points`,
  );

  const model = new NeuralODE({ features: 'cube', seed: 1, method: 'dopri5', rtol: 1e-3, atol: 1e-4 });
  const opt = tf.train.adam(lr0);
  const rng = mulberry32(0);
  const y0 = tf.tensor2d([spiral.y0], [1, 2]);
  const target = tf.tensor3d(data.ys, [nData, 1, 2]);

  const evaluate = (): { loss: number; nfe: number; pred: Float32Array } => {
    const { ys, nfe } = model.predict(y0, data.ts);
    const lossT = tf.tidy(() => tf.mean(tf.abs(tf.sub(ys, target))));
    const loss = lossT.dataSync()[0] as number;
    const pred = new Float32Array(ys.dataSync());
    tf.dispose([ys, lossT]);
    return { loss, nfe, pred };
  };

  const history: { iter: number; loss: number; nfe: number }[] = [];
  const evals: { iter: number; trajectoryLoss: number; nfe: number; seconds: number }[] = [];
  const frames: Rgba[] = [];
  const bar = progressBar('spirals', iters);
  const started = performance.now();
  let trainSeconds = 0;
  let nfeTotal = 0;
  let ema = NaN;

  const record = async (iter: number): Promise<void> => {
    const e = evaluate();
    evals.push({ iter, trajectoryLoss: round(e.loss), nfe: e.nfe, seconds: round((performance.now() - started) / 1000, 3) });
    frames.push(frame(await model.field(BOX[0], BOX[1], 16), data.ys, e.pred, iter / iters));
  };
  await record(0);
  for (let it = 1; it <= iters; it++) {
    (opt as unknown as { learningRate: number }).learningRate = lr0 * Math.pow(lrEnd / lr0, (it - 1) / iters);
    const b = sampleBatch(data, batchSize, batchTime, rng);
    const t = performance.now();
    const { loss, nfe } = model.trainStep(opt, b.y0, b.ts, b.target);
    trainSeconds += (performance.now() - t) / 1000;
    tf.dispose([b.y0, b.target]);
    nfeTotal += nfe;
    ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
    history.push({ iter: it, loss: round(loss), nfe });
    if (it % evalEvery === 0 || it === iters) await record(it);
    const last = evals[evals.length - 1]!;
    bar.update(it, {
      loss: ema.toFixed(4),
      'traj loss': last.trajectoryLoss.toFixed(3),
      NFE: nfe,
      'ms/it': ((1000 * trainSeconds) / it).toFixed(1),
    });
  }
  bar.stop();
  const seconds = (performance.now() - started) / 1000;

  // Final pictures.
  const final = evaluate();
  const field = await model.field(BOX[0], BOX[1], 21);
  const trueField = await (async () => {
    const n = 21;
    const xs = field.xs;
    const pts = tf.tensor2d(
      xs.flatMap((y) => xs.flatMap((x) => [x, y])),
      [n * n, 2],
    );
    const f = spiral.vf(pts);
    const d = (await f.data()) as Float32Array;
    tf.dispose([pts, f]);
    return { xs, ys: xs, u: d.filter((_, i) => i % 2 === 0), v: d.filter((_, i) => i % 2 === 1) };
  })();
  const files: string[] = [];
  const save = (name: string, write: (p: string) => void): void => {
    const p = join(out, name);
    write(p);
    files.push(p);
  };
  // Extra trajectories of the learned model from other starting points.
  const starts = tf.tensor2d([
    [1.5, 1.5],
    [-1.8, 0.6],
    [0.5, -1.9],
    [-1.2, -1.4],
  ]);
  const ts = data.ts;
  const extra = model.predict(starts, ts);
  const extraYs = extra.ys.arraySync() as number[][][];
  tf.dispose([starts, extra.ys]);
  const extraPaths = [0, 1, 2, 3].map((b) => ({ name: 'learned, other starts', xy: extraYs.flatMap((row) => row[b]!) }));
  const everyNth = (xy: Float32Array, n: number): number[] => Array.from(xy).filter((_, i) => Math.floor(i / 2) % n === 0);

  const portrait = await phasePortraitSvg(
    `Learned vector field and trajectories (mean |error| ${final.loss.toFixed(3)})`,
    field,
    [
      { name: 'data (true spiral, every 10th point)', xy: everyNth(data.ys, 10), mark: 'point' },
      { name: 'neural ODE from y0 = (2, 0)', xy: final.pred, color: '#e41a1c' },
      ...extraPaths.map((p, i) => ({
        ...p,
        name: `neural ODE from (${
          [
            [1.5, 1.5],
            [-1.8, 0.6],
            [0.5, -1.9],
            [-1.2, -1.4],
          ][i]
        })`,
      })),
    ],
    BOX,
  );
  save('phase-portrait.svg', (p) => writeText(p, portrait));
  save('true-vector-field.svg', (p) => writeText(p, ''));
  writeText(
    files[files.length - 1]!,
    await phasePortraitSvg('True vector field y³A and trajectory', trueField, [{ name: 'true spiral', xy: data.ys, color: '#222' }], BOX),
  );
  save('phase-portrait.png', (p) => writePng(p, frames[frames.length - 1]!));
  const smooth: number[] = [];
  history.forEach((h, i) => smooth.push(i === 0 ? h.loss : 0.95 * smooth[i - 1]! + 0.05 * h.loss));
  const lossSvg = await lineChart(
    [
      { name: 'minibatch loss (EMA)', x: history.map((h) => h.iter), y: smooth },
      { name: 'whole-trajectory loss', x: evals.map((e) => e.iter), y: evals.map((e) => e.trajectoryLoss) },
    ],
    { title: 'Training loss (mean |pred − data|)', xLabel: 'iteration', yLabel: 'loss', logY: true },
  );
  save('loss.svg', (p) => writeText(p, lossSvg));
  save('training.gif', (p) => writeGif(p, frames, 150));

  const summary = {
    demo: 'spirals',
    quick,
    backend: describeBackend(),
    model: 'dy/dt = MLP(y^3), MLP 2-50-2 tanh',
    solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-4, gradients: 'tf.variableGrads through solve (discretise-then-optimise)' },
    iterations: iters,
    batch: { size: batchSize, time: batchTime },
    initialTrajectoryLoss: evals[0]!.trajectoryLoss,
    finalTrajectoryLoss: round(final.loss),
    finalMinibatchLossEma: round(ema),
    nfe: { total: nfeTotal, meanPerIteration: round(nfeTotal / iters), lastFullTrajectory: final.nfe },
    seconds: { total: round(seconds, 3), training: round(trainSeconds, 3), msPerIteration: round((1000 * trainSeconds) / iters, 3) },
    evals,
    history,
  };
  save('results.json', (p) => writeJson(p, summary));
  log(
    `trajectory loss ${evals[0]!.trajectoryLoss} → ${round(final.loss)} in ${iters} iterations, ${round(seconds, 3)} s (${summary.seconds.msPerIteration} ms/iteration, ${summary.nfe.meanPerIteration} NFE/iteration)`,
  );
  tf.dispose([y0, target]);
  model.dispose();
  opt.dispose();
  return { out, files, summary };
}
