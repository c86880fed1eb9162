/**
 * ODE benchmark: the classic problems and the neural-ODE parity forward pass, per backend,
 * next to torchdiffeq's figures (tooling/reference, same 2-core machine kind, 1 thread).
 * Ratios below 1 mean we are faster. Also reports our time per function evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import { Linear, MLP, useBackend, type BackendName } from '@nde/core';
import { ConstantStepSize, ODETerm, PIDController, solve, solveAsync, type SolveOptions } from '@nde/solvers';
import { timeIt, writeResults, type BenchRow } from './harness.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const refDir = fileURLToPath(new URL('../../../tooling/reference/', import.meta.url));
const ref = <T>(name: string): T => JSON.parse(readFileSync(`${refDir}${name}`, 'utf8')) as T;

interface ClassicRow {
  problem: string;
  method: string;
  dtype: string;
  rtol?: number;
  atol?: number;
  nfe: number;
  max_abs_err: number;
  median_s: number;
  step_size?: number;
  reference?: number[];
}

const split2 = (y: tf.Tensor): [tf.Tensor, tf.Tensor] => tf.split(y, 2) as [tf.Tensor, tf.Tensor];
const PROBLEMS: Record<string, { f: (t: number, y: tf.Tensor) => tf.Tensor; y0: number[]; t1: number; exact?: number[] }> = {
  exp_decay: { f: (_t, y) => tf.neg(y), y0: [1], t1: 5, exact: [Math.exp(-5)] },
  van_der_pol_mu1: {
    f: (_t, y) => {
      const [x, v] = split2(y);
      return tf.concat([v, tf.sub(tf.mul(tf.sub(1, tf.square(x)), v), x)]);
    },
    y0: [2, 0],
    t1: 10,
  },
  lotka_volterra: {
    f: (_t, y) => {
      const [x, v] = split2(y);
      const xy = tf.mul(x, v);
      return tf.concat([tf.sub(tf.mul(1.5, x), xy), tf.add(tf.mul(-3, v), xy)]);
    },
    y0: [1, 1],
    t1: 10,
  },
};

async function finalError(sol: { ys: tf.Tensor | undefined }, expected: readonly number[]): Promise<number> {
  const y = Array.from(await (sol.ys as tf.Tensor).data());
  return Math.max(...y.map((v, i) => Math.abs(v - (expected[i] as number))));
}

export async function run(backends: string[]): Promise<void> {
  const classic = ref<{ ode_classic: ClassicRow[] }>('ode_classic.json').ode_classic.filter(
    (r) => r.dtype === 'float32' || r.method !== 'scipy_RK45',
  );
  const parity = ref<{
    timing_default_threads: Record<string, { median_s: number }>;
    counts: { nfe_forward: number };
    parity_data: { weights: Record<string, number[][] | number[]>; y0: number[][]; 'yT_reference_float64_rtol1e-10_atol1e-12': number[][] };
  }>('neural_ode_parity.json');
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    await useBackend(backend as BackendName);
    const seen = new Set<string>();
    for (const r of classic) {
      const key = `${r.problem}/${r.method}/${r.rtol ?? r.step_size}`;
      if (seen.has(key) || r.method === 'scipy_RK45') continue;
      seen.add(key);
      const p = PROBLEMS[r.problem];
      if (!p) continue;
      const y0 = tf.tensor1d(p.y0);
      const method = r.method === 'rk4' ? 'rk38' : r.method; // torchdiffeq's 'rk4' is the 3/8 rule
      const opts: SolveOptions<tf.Tensor> =
        r.method === 'dopri5'
          ? {
              terms: new ODETerm(p.f),
              solver: method,
              t0: 0,
              t1: p.t1,
              y0,
              stepSizeController: new PIDController({ rtol: r.rtol ?? 0, atol: r.atol ?? 0 }),
            }
          : {
              terms: new ODETerm(p.f),
              solver: method,
              t0: 0,
              t1: p.t1,
              y0,
              dt0: r.step_size ?? 0.1,
              stepSizeController: new ConstantStepSize(),
              checkFinite: false,
            };
      const probe = solve(opts);
      const error = await finalError(probe, r.reference ?? p.exact ?? []);
      const nfe = probe.stats.nfe;
      probe.dispose();
      const t = await timeIt(() => solve(opts).dispose(), { warmup: 2, repeats: 7 });
      const referenceMs = r.median_s * 1000;
      rows.push({
        backend,
        problem: r.problem,
        method: `${method}${r.rtol ? ` rtol=${r.rtol}` : ` dt=${r.step_size}`}`,
        nfe,
        error,
        ...t,
        referenceMs,
        ratioToReference: t.medianMs / referenceMs,
        usPerNfe: (1000 * t.medianMs) / nfe,
        torchdiffeqNfe: r.nfe,
        torchdiffeqError: r.max_abs_err,
      });
      y0.dispose();
    }
    // Neural ODE parity forward pass (256 states, MLP 2-50-2, dopri5 rtol 1e-3 atol 1e-4).
    const w = parity.parity_data.weights;
    const mlp = new MLP({
      layers: [
        Linear.fromTorch(w['0.weight'] as number[][], w['0.bias'] as number[]),
        Linear.fromTorch(w['2.weight'] as number[][], w['2.bias'] as number[]),
      ],
      activation: 'tanh',
    });
    const y0 = tf.tensor2d(parity.parity_data.y0);
    const opts: SolveOptions<tf.Tensor> = {
      terms: new ODETerm((_t: number, y: tf.Tensor) => mlp.apply(y)),
      solver: 'dopri5',
      t0: 0,
      t1: 1,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }),
    };
    const probe = solve(opts);
    const expected = parity.parity_data['yT_reference_float64_rtol1e-10_atol1e-12'].flat();
    const got = Array.from(await (probe.ys as tf.Tensor).data());
    const error = Math.max(...got.map((v, i) => Math.abs(v - (expected[i] as number))));
    const nfe = probe.stats.nfe;
    probe.dispose();
    const referenceMs = (parity.timing_default_threads.forward_no_grad?.median_s ?? NaN) * 1000;
    // Kernels dispatched: a load-independent measure of the work (wall times are noisy on shared cores).
    const kernels = (await tf.profile(() => solve(opts).dispose())).kernels.length;
    const sync = await timeIt(() => solve(opts).dispose(), { warmup: 3, repeats: 15 });
    rows.push({
      backend,
      problem: 'neural_ode_parity',
      method: 'dopri5 (solve)',
      nfe,
      error,
      ...sync,
      referenceMs,
      ratioToReference: sync.medianMs / referenceMs,
      usPerNfe: (1000 * sync.medianMs) / nfe,
      torchdiffeqNfe: parity.counts.nfe_forward,
      kernels,
    });
    const asyncT = await timeIt(async () => (await solveAsync(opts)).dispose(), { warmup: 3, repeats: 15 });
    rows.push({
      backend,
      problem: 'neural_ode_parity',
      method: 'dopri5 (solveAsync)',
      nfe,
      error,
      ...asyncT,
      referenceMs,
      ratioToReference: asyncT.medianMs / referenceMs,
      usPerNfe: (1000 * asyncT.medianMs) / nfe,
      torchdiffeqNfe: parity.counts.nfe_forward,
    });
    y0.dispose();
    mlp.dispose();
  }
  writeResults(
    'ode',
    rows,
    'dopri5/rk/euler on the torchdiffeq reference problems and the neural-ODE parity forward pass. referenceMs: torchdiffeq 0.2.5 (torch 1.13, 1 thread) on this machine kind; ratioToReference < 1 means faster. Our float32 vs their float32/float64 as listed.',
  );
}
