/**
 * `pnpm demo ode`: solve the Van der Pol oscillator with `solve` (dopri5, PID step control) from a fan of
 * initial states at once (one batched solve), draw the phase portrait with the vector field, the
 * accepted step sizes, and a work–precision diagram of the Runge–Kutta methods (error vs NFE).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, useBackend } from '@nde/core';
import { lineChart, progressBar, writeText, type Series } from '@nde/plot';
import { ODETerm, PIDController, solve } from '@nde/solvers';
import { phasePortraitSvg } from '../lib/charts.js';
import { isQuick, logger, outDir, round, writeJson, type DemoOptions, type DemoResult } from '../lib/output.js';
import { vanDerPol } from '../shared/problems.js';

export async function run(o: DemoOptions = {}): Promise<DemoResult> {
  const quick = o.quick ?? isQuick();
  const log = logger(o);
  const out = outDir('ode', o);
  await useBackend(o.backend ?? 'wasm');
  log(`backend: ${describeBackend()}`);
  const files: string[] = [];
  const save = (name: string, text: string): void => {
    const p = join(out, name);
    writeText(p, text);
    files.push(p);
  };
  const term = new ODETerm((_t: number, y: tf.Tensor) => vanDerPol.vf(y));
  const box: [number, number] = [-3.2, 3.2];
  const t1 = 15;

  // 1. A fan of initial states, one batched solve.
  const nStarts = quick ? 8 : 16;
  const starts = Array.from({ length: nStarts }, (_, i) => {
    const a = (2 * Math.PI * i) / nStarts;
    const r = i % 2 === 0 ? 0.3 : 3.0;
    return [r * Math.cos(a), r * Math.sin(a)];
  });
  const y0 = tf.tensor2d(starts);
  const ts = Array.from({ length: 301 }, (_, i) => (t1 * i) / 300);
  let t = performance.now();
  const sol = solve({
    terms: term,
    solver: 'dopri5',
    t0: 0,
    t1,
    y0,
    saveAt: { ts },
    stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8, norm: 'rms-per-sample' }),
  });
  const fanSeconds = (performance.now() - t) / 1000;
  const ys = (sol.ys as tf.Tensor).arraySync() as number[][][];
  const fanStats = sol.stats;
  sol.dispose();
  log(`batched solve of ${nStarts} trajectories on [0, ${t1}]: ${JSON.stringify(fanStats)} in ${fanSeconds.toFixed(3)} s`);

  // True vector field on a grid.
  const n = 21;
  const xs = Array.from({ length: n }, (_, i) => box[0] + ((box[1] - box[0]) * i) / (n - 1));
  const grid = tf.tensor2d(
    xs.flatMap((yy) => xs.flatMap((xx) => [xx, yy])),
    [n * n, 2],
  );
  const f = vanDerPol.vf(grid);
  const fd = f.dataSync();
  const field = { xs, ys: xs, u: fd.filter((_, i) => i % 2 === 0), v: fd.filter((_, i) => i % 2 === 1) };
  tf.dispose([grid, f, y0]);
  save(
    'phase-portrait.svg',
    await phasePortraitSvg(
      `Van der Pol (μ = 1): ${nStarts} trajectories converge to the limit cycle`,
      field,
      starts
        .map((s, b) => ({
          name: `start ${b}`,
          // Starts alternate inside and outside the limit cycle (see `starts` above).
          group: b % 2 === 0 ? 'trajectories from inside (dopri5, rtol 1e-6)' : 'trajectories from outside',
          xy: ys.flatMap((row) => row[b]!),
          color: b % 2 === 0 ? '#e41a1c' : '#377eb8',
        }))
        .slice(0, nStarts),
      box,
    ),
  );

  // 2. One trajectory with every accepted step: step sizes adapt to the fast and slow phases.
  const one = tf.tensor2d([[2, 0]]);
  const stepsSol = solve({
    terms: term,
    solver: 'dopri5',
    t0: 0,
    t1,
    y0: one,
    saveAt: { t0: true, steps: true },
    stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-7 }),
  });
  const stepTs = stepsSol.ts;
  const stepYs = (stepsSol.ys as tf.Tensor).arraySync() as number[][][];
  const oneStats = stepsSol.stats;
  stepsSol.dispose();
  one.dispose();
  save(
    'trajectory.svg',
    await lineChart(
      [
        { name: 'x(t)', x: stepTs, y: stepYs.map((r) => r[0]![0]!) },
        { name: 'v(t)', x: stepTs, y: stepYs.map((r) => r[0]![1]!) },
      ],
      {
        title: `Van der Pol from (2, 0): accepted dopri5 steps (${oneStats.accepted} accepted, ${oneStats.rejected} rejected)`,
        xLabel: 't',
        yLabel: 'state',
        mark: 'linepoint',
      },
    ),
  );
  const dts = stepTs.slice(1).map((tt, i) => tt - stepTs[i]!);
  save(
    'step-sizes.svg',
    await lineChart([{ name: 'dt', x: stepTs.slice(1), y: dts }], {
      title: 'Adaptive step size (PID controller, rtol 1e-5)',
      xLabel: 't',
      yLabel: 'accepted dt',
      logY: true,
      mark: 'linepoint',
    }),
  );

  // 3. Work–precision: error at t1 against a tight dopri8 reference, vs NFE.
  const methods = quick ? ['bosh3', 'dopri5'] : ['bosh3', 'dopri5', 'tsit5', 'dopri8'];
  const rtols = quick ? [1e-3, 1e-5] : [1e-2, 1e-3, 1e-4, 1e-5, 1e-6];
  const yRef0 = tf.tensor2d(starts);
  const refSol = solve({
    terms: term,
    solver: 'dopri8',
    t0: 0,
    t1,
    y0: yRef0,
    stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
  });
  const ref = (refSol.ys as tf.Tensor).dataSync().slice();
  refSol.dispose();
  const sweep: {
    method: string;
    rtol: number;
    status: string;
    nfe: number;
    accepted: number;
    rejected: number;
    error: number;
    ms: number;
  }[] = [];
  const bar = progressBar('work-precision', methods.length * rtols.length);
  for (const method of methods) {
    for (const rtol of rtols) {
      t = performance.now();
      const s = solve({
        terms: term,
        solver: method,
        t0: 0,
        t1,
        y0: yRef0,
        stepSizeController: new PIDController({ rtol, atol: rtol * 1e-2 }),
        throwOnFailure: false,
      });
      const ms = performance.now() - t;
      const got = (s.ys as tf.Tensor).dataSync();
      let err = 0;
      for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i]! - ref[i]!));
      sweep.push({
        method,
        rtol,
        status: s.status,
        nfe: s.stats.nfe,
        accepted: s.stats.accepted,
        rejected: s.stats.rejected,
        error: round(err),
        ms: round(ms, 3),
      });
      s.dispose();
      bar.update(sweep.length, { method, rtol, NFE: s.stats.nfe, 'max err': err.toExponential(1) });
    }
  }
  bar.stop();
  yRef0.dispose();
  const series: Series[] = methods.map((m) => {
    const rows = sweep.filter((r) => r.method === m && r.status === 'success');
    return { name: m, x: rows.map((r) => r.nfe), y: rows.map((r) => Math.max(r.error, 1e-7)) };
  });
  save(
    'work-precision.svg',
    await lineChart(series, {
      title: 'Work–precision on Van der Pol (16 states, t1 = 15; float32 reference: dopri8 rtol 1e-7)',
      xLabel: 'NFE',
      yLabel: 'max |error| at t1',
      logX: true,
      logY: true,
      mark: 'linepoint',
    }),
  );

  const summary = {
    demo: 'ode',
    quick,
    backend: describeBackend(),
    problem: "Van der Pol, mu = 1: x' = v, v' = (1 - x^2) v - x",
    batchedSolve: { trajectories: nStarts, t1, method: 'dopri5', rtol: 1e-6, stats: fanStats, seconds: round(fanSeconds, 3) },
    singleSolve: { method: 'dopri5', rtol: 1e-5, stats: oneStats, dtMin: round(Math.min(...dts)), dtMax: round(Math.max(...dts)) },
    workPrecision: sweep,
  };
  const p = join(out, 'results.json');
  writeJson(p, summary);
  files.push(p);
  log(`one trajectory: ${oneStats.accepted} accepted steps, dt from ${summary.singleSolve.dtMin} to ${summary.singleSolve.dtMax}`);
  return { out, files, summary };
}
