/**
 * SDE benchmark: GBM dX = 0.5 X dt + 0.3 X dW, X0 = 1, t ∈ [0, 1], batch 10000, dt 0.01, with
 * Euler–Maruyama and Milstein, on each backend and with each Brownian object of @nde/brownian,
 * next to torchsde 0.2.6's figures (../shared/reference/sde_gbm_brownian.json). Each timed run builds
 * the Brownian motion, solves, and reads back X(1) (as torchsde's timing includes its sdeint call).
 * Rows with `checkFinite: true` read "is the state finite?" back every step (the safe default);
 * `checkFinite: false` leaves the per-step work on device with no host sync.
 * referenceMs is torchsde float32 with BrownianInterval(dt=0.01) — its fastest float32 setting;
 * `torchsdeDefaultMs` is its default BrownianInterval (see the reference file's note on why that one is slow).
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '@nde/core';
import * as brownian from '@nde/brownian';
import { sdeint, type BrownianMotion } from '@nde/solvers';
import { loadReference, timeIt, writeResults, type BenchRow } from './harness.js';

interface TorchsdeRun {
  dtype: string;
  method: string;
  brownian_interval_dt: number | null;
  mean_X1: number;
  var_X1: number;
  time: { median_s: number };
}

const N = 10000;
const MU = 0.5;
const SIGMA = 0.3;
const EXACT_MEAN = Math.exp(MU);
const EXACT_VAR = Math.exp(2 * MU) * (Math.exp(SIGMA * SIGMA) - 1);

/** The Brownian objects to compare, built fresh for each run (seeded). */
function brownians(seed: number): { name: string; make: () => BrownianMotion }[] {
  const k = brownian.key(seed);
  const shape = [N, 1];
  // tol = dt matches torchsde's BrownianInterval(dt=0.01) reference: no resolution finer than a step.
  return [
    { name: 'VirtualBrownianTree', make: () => new brownian.VirtualBrownianTree({ t0: 0, t1: 1, shape, key: k }) },
    { name: 'VirtualBrownianTree(tol=dt)', make: () => new brownian.VirtualBrownianTree({ t0: 0, t1: 1, shape, key: k, tol: 0.01 }) },
    { name: 'BrownianPath', make: () => new brownian.BrownianPath({ t0: 0, t1: 1, shape, key: k }) },
    { name: 'BrownianInterval', make: () => new brownian.BrownianInterval({ t0: 0, t1: 1, shape, key: k }) },
    { name: 'BrownianInterval(tol=dt)', make: () => new brownian.BrownianInterval({ t0: 0, t1: 1, shape, key: k, tol: 0.01 }) },
  ];
}

export async function run(backends: string[]): Promise<void> {
  const ref = loadReference<{ gbm: { runs: TorchsdeRun[] } }>('sde_gbm_brownian.json');
  const refRun = (method: string, dt: number | null, dtype = 'float32'): TorchsdeRun | undefined =>
    ref?.gbm.runs.find((r) => r.method === method && r.dtype === dtype && r.brownian_interval_dt === dt);
  const rows: BenchRow[] = [];
  const y0s = new Map<string, tf.Tensor>();
  for (const backend of backends) {
    await useBackend(backend as BackendName);
    const y0 = tf.ones([N, 1]);
    y0s.set(backend, y0);
    for (const method of ['euler', 'milstein']) {
      for (const { name, make } of brownians(20240601)) {
        for (const checkFinite of [true, false]) {
          let last: Float32Array = new Float32Array();
          let nfe = 0;
          const once = async (): Promise<void> => {
            const bm = make();
            const ys = sdeint({ f: (_t, y) => tf.mul(y, MU), g: (_t, y) => tf.mul(y, SIGMA) }, y0, [0, 1], {
              method,
              dt: 0.01,
              bm,
              checkFinite,
            });
            last = (await ys.data()).slice(N) as Float32Array;
            ys.dispose();
            nfe = 100;
          };
          const before = tf.memory().numTensors;
          const t = await timeIt(once, { warmup: 1, repeats: 5 });
          const leaked = tf.memory().numTensors - before;
          const mean = last.reduce((a, b) => a + b, 0) / N;
          const variance = last.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
          const r = refRun(method, 0.01);
          const rDefault = refRun(method, null);
          const r64 = refRun(method, 0.01, 'float64');
          const referenceMs = r ? r.time.median_s * 1000 : undefined;
          rows.push({
            backend,
            problem: 'gbm b10000 dt0.01',
            method,
            brownian: name,
            checkFinite,
            nfe,
            error: Math.abs(mean - EXACT_MEAN),
            meanX1: mean,
            varX1: variance,
            zMean: (mean - EXACT_MEAN) / Math.sqrt(variance / N),
            ...t,
            ...(referenceMs !== undefined ? { referenceMs, ratioToReference: t.medianMs / referenceMs } : {}),
            ...(rDefault ? { torchsdeDefaultMs: rDefault.time.median_s * 1000 } : {}),
            ...(r64 ? { torchsdeF64Ms: r64.time.median_s * 1000 } : {}),
            leakedTensors: leaked,
          });
        }
      }
    }
    y0.dispose();
  }
  writeResults(
    'sde',
    rows,
    `GBM dX = ${MU} X dt + ${SIGMA} X dW, X0 = 1, t in [0, 1], batch ${N}, dt 0.01 (100 steps). Analytic mean ${EXACT_MEAN.toFixed(5)}, var ${EXACT_VAR.toFixed(5)}. ` +
      'Each run: build the Brownian motion, solve, read X(1). referenceMs: torchsde 0.2.6 float32 with BrownianInterval(dt=0.01); ' +
      'torchsdeDefaultMs: its default BrownianInterval; ratioToReference < 1 means faster. checkFinite=false: no host read per step.',
  );
}
