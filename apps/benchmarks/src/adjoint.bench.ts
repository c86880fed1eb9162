/**
 * Adjoint benchmark: neural-ODE parity forward+backward with each adjoint (next to torchdiffeq's
 * backprop 7.6 ms / adjoint 24.3 ms), the neural SDE (state 4, batch 64) forward+backward with 16
 * steps and with torchsde's 100 steps (dt 0.01; torchsde's figures are for dt 0.01), and peak
 * tensor memory vs number of steps.
 */
import * as tf from '@tensorflow/tfjs';
import { Linear, MLP, useBackend, type BackendName } from '@nde/core';
import { VirtualBrownianTree } from '@nde/brownian';
import { ConstantStepSize, ODETerm, PIDController, SDETerm, type SolveOptions } from '@nde/solvers';
import {
  BacksolveAdjoint,
  DirectAdjoint,
  RecursiveCheckpointAdjoint,
  ReversibleAdjoint,
  valueAndGrads,
  type AdjointMethod,
} from '@nde/adjoint';
import { loadReference, timeIt, writeResults, type BenchRow } from './harness.js';

interface Parity {
  timing_default_threads: Record<string, { median_s: number }>;
  parity_data: { weights: Record<string, number[][] | number[]>; y0: number[][] };
}
interface SdeRef {
  neural_sde: {
    runs: {
      dtype: string;
      variant: string;
      method: string;
      brownian_interval_dt: number | null;
      time_backprop_fwd_plus_bwd: { median_s: number };
      time_adjoint_fwd_plus_bwd: { median_s: number };
    }[];
  };
}

function gradOnce(adjoint: AdjointMethod, solveOptions: SolveOptions<tf.Tensor>, params: Record<string, MLP> | MLP): number {
  const r = valueAndGrads({ loss: (ys) => tf.sum(ys), solveOptions, params, adjoint, timeGrads: false });
  const nfe = r.stats.nfe;
  r.dispose();
  return nfe;
}

function peak(adjoint: AdjointMethod, steps: number, solver: string): number {
  const mlp = new MLP({ sizes: [2, 64, 2], activation: 'tanh', seed: 5 });
  const y0 = tf.randomNormal([256, 2], 0, 1, 'float32', 3);
  let max = 0;
  const base = tf.memory().numBytes;
  const o: SolveOptions<tf.Tensor> = {
    terms: new ODETerm((_t: number, y: tf.Tensor) => ((max = Math.max(max, tf.memory().numBytes)), mlp.apply(y))),
    solver,
    t0: 0,
    t1: 1,
    y0,
    dt0: 1 / steps,
    stepSizeController: new ConstantStepSize(),
    checkFinite: false,
  };
  gradOnce(adjoint, o, mlp);
  mlp.dispose();
  y0.dispose();
  return max - base;
}

export async function run(backends: string[]): Promise<void> {
  const parity = loadReference<Parity>('neural_ode_parity.json');
  const sdeRef = loadReference<SdeRef>('neural_sde_adjoint.json');
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    await useBackend(backend as BackendName);
    if (parity) {
      const w = parity.parity_data.weights;
      const mlp = new MLP({
        layers: [
          Linear.fromTorch(w['0.weight'] as number[][], w['0.bias'] as number[]),
          Linear.fromTorch(w['2.weight'] as number[][], w['2.bias'] as number[]),
        ],
        activation: 'tanh',
      });
      const y0 = tf.tensor2d(parity.parity_data.y0);
      const o: SolveOptions<tf.Tensor> = {
        terms: new ODETerm((_t: number, y: tf.Tensor) => mlp.apply(y)),
        solver: 'dopri5',
        t0: 0,
        t1: 1,
        y0,
        stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }),
      };
      const backpropMs = (parity.timing_default_threads.backprop_forward_plus_backward?.median_s ?? NaN) * 1000;
      const adjointMs = (parity.timing_default_threads.adjoint_forward_plus_backward?.median_s ?? NaN) * 1000;
      for (const [name, make, referenceMs] of [
        ['direct', () => new DirectAdjoint(), backpropMs],
        ['checkpoint(2)', () => new RecursiveCheckpointAdjoint({ checkpoints: 2 }), backpropMs],
        ['backsolve', () => new BacksolveAdjoint(), adjointMs],
        ['reversible_heun dt=0.1', () => new ReversibleAdjoint(), backpropMs],
      ] as const) {
        const opts: SolveOptions<tf.Tensor> = name.startsWith('reversible')
          ? { ...o, solver: 'reversible_heun', dt0: 0.1, stepSizeController: new ConstantStepSize(), checkFinite: false }
          : o;
        const nfe = gradOnce(make(), opts, mlp);
        // Kernels dispatched (forward + backward): a load-independent measure of the work.
        const kernels = (await tf.profile(() => void gradOnce(make(), opts, mlp))).kernels.length;
        const t = await timeIt(() => gradOnce(make(), opts, mlp), { warmup: 2, repeats: 15 });
        rows.push({
          backend,
          problem: 'neural_ode_parity fwd+bwd',
          method: name,
          nfe,
          ...t,
          referenceMs,
          ratioToReference: t.medianMs / referenceMs,
          kernels,
        });
      }
      mlp.dispose();
      y0.dispose();
    }
    // Neural SDE, state 4, batch 64.
    const drift = new MLP({ sizes: [4, 32, 4], activation: 'tanh', seed: 100 });
    const diffusion = new MLP({ sizes: [4, 32, 4], activation: 'tanh', finalActivation: 'sigmoid', seed: 200 });
    const y0 = tf.tidy(() => tf.mul(tf.randomNormal([64, 4], 0, 1, 'float32', 300), 0.5));
    const refRun = (method: string) =>
      sdeRef?.neural_sde.runs.find(
        (r) => r.dtype === 'float32' && r.variant === 'mlp_diffusion' && r.method === method && r.brownian_interval_dt === 0.01,
      );
    for (const steps of [16, 100]) {
      for (const [name, solver, make, ref] of [
        ['direct', 'reversible_heun', () => new DirectAdjoint(), refRun('reversible_heun')?.time_backprop_fwd_plus_bwd.median_s],
        ['reversible', 'reversible_heun', () => new ReversibleAdjoint(), refRun('reversible_heun')?.time_adjoint_fwd_plus_bwd.median_s],
        ['direct', 'midpoint', () => new DirectAdjoint(), refRun('midpoint')?.time_backprop_fwd_plus_bwd.median_s],
        ['stochastic adjoint', 'midpoint', () => new BacksolveAdjoint(), refRun('midpoint')?.time_adjoint_fwd_plus_bwd.median_s],
      ] as const) {
        const opts = (): SolveOptions<tf.Tensor> => ({
          terms: new SDETerm({
            drift: (_t, y) => drift.apply(y),
            diffusion: (_t, y) => diffusion.apply(y),
            bm: new VirtualBrownianTree({ t0: 0, t1: 1, shape: [64, 4], key: 7, tol: 1e-4 }),
            noise: 'diagonal',
            sdeType: 'stratonovich',
          }),
          solver,
          t0: 0,
          t1: 1,
          y0,
          dt0: 1 / steps,
          checkFinite: false,
        });
        const nfe = gradOnce(make(), opts(), { drift, diffusion });
        const t = await timeIt(() => gradOnce(make(), opts(), { drift, diffusion }), { warmup: 1, repeats: 5 });
        const referenceMs = steps === 100 && ref !== undefined ? ref * 1000 : undefined;
        rows.push({
          backend,
          problem: `neural_sde ${steps} steps fwd+bwd`,
          method: `${solver} / ${name}`,
          nfe,
          ...t,
          ...(referenceMs ? { referenceMs, ratioToReference: t.medianMs / referenceMs } : {}),
        });
      }
    }
    drift.dispose();
    diffusion.dispose();
    y0.dispose();
    // Peak memory vs steps.
    for (const [name, make, solver] of [
      ['direct', () => new DirectAdjoint(), 'rk4'],
      ['checkpoint(4)', () => new RecursiveCheckpointAdjoint({ checkpoints: 4 }), 'rk4'],
      ['backsolve', () => new BacksolveAdjoint(), 'rk4'],
      ['reversible', () => new ReversibleAdjoint(), 'reversible_heun'],
    ] as const) {
      const p = [20, 200].map((n) => peak(make(), n, solver));
      rows.push({
        backend,
        problem: 'peak memory, MLP 2-64-2, batch 256',
        method: `${solver} / ${name}`,
        medianMs: NaN,
        minMs: NaN,
        maxMs: NaN,
        repeats: 1,
        peakMB_20steps: (p[0] as number) / 2 ** 20,
        peakMB_200steps: (p[1] as number) / 2 ** 20,
      });
    }
  }
  writeResults(
    'adjoint',
    rows,
    'Forward + backward (valueAndGrads) per adjoint. referenceMs: torchdiffeq backprop 7.6 ms / adjoint 24.3 ms (neural ODE parity) and torchsde 0.2.6 (neural SDE, dt 0.01 = 100 steps; the 16-step rows have no torchsde figure). ratioToReference < 1 means faster. Peak memory: tf.memory().numBytes above baseline, sampled at every vector-field evaluation.',
  );
}
