/**
 * The GPU benchmark's workloads, each timed at one batch size on the current backend:
 * - neural ODE training (MLP field, tsit5, adaptive) through `valueAndGradsAsync`, with the ordinary
 *   async loop (one read per step) and with the device-resident forward (one read per k steps);
 * - neural SDE training (MLP drift and diagonal diffusion, Euler–Maruyama, fixed steps);
 * - GBM Monte Carlo (`sdeintAsync`, Euler–Maruyama, 100 steps), checked against E[X₁] = e^μ.
 * Every row carries throughput, host reads, and the GPU idle share: 1 − (Σ kernel time) / wall time
 * of one profiled run (`tf.profile`; kernel times are GPU timestamps on WebGPU; on wasm they are the
 * kernels' CPU time, so the share is the time spent outside kernels).
 */
import * as tf from '@tensorflow/tfjs';
import { MLP } from '@nde/core';
import { BrownianPath, key } from '@nde/brownian';
import { valueAndGradsAsync, type ValueAndGradsResult } from '@nde/adjoint';
import { timeIt } from '../harness.js';
import { ConstantStepSize, PIDController, SDETerm, TensorTimeODETerm, sdeintAsync, type SolveOptions } from '@nde/solvers';

/** One measured configuration. */
export interface GpuRow {
  readonly workload: 'neural-ode-train' | 'neural-sde-train' | 'gbm-monte-carlo';
  readonly mode: string;
  readonly backend: string;
  readonly batch: number;
  /** Median wall time of one iteration (one training step, or one Monte-Carlo solve), ms. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly repeats: number;
  /** Samples (trajectories) per second: batch / median. */
  readonly samplesPerSecond: number;
  /** Solver steps per iteration (accepted + rejected), and device→host reads per iteration (all of them, the loss read included). */
  readonly steps: number;
  readonly hostReads: number;
  /** 1 − GPU busy / wall in one profiled iteration (null when the backend reports no kernel times). */
  readonly gpuIdleShare: number | null;
  /** A check on the numbers (loss drop, or Monte-Carlo error in standard errors). */
  readonly check: Record<string, number>;
}

/** Median, min and max of timed repeats after warm-up (the harness's timer). */
const timed = async (
  fn: () => Promise<void>,
  warmup: number,
  repeats: number,
): Promise<{ medianMs: number; minMs: number; maxMs: number }> => timeIt(fn, { warmup, repeats });

/** Every device→host read one run of fn makes (each `data()`/`dataSync()` call, the loss read included). */
async function countReads(fn: () => Promise<void>): Promise<number> {
  const proto = tf.Tensor.prototype;
  const { data, dataSync } = proto;
  let reads = 0;
  proto.data = function (this: tf.Tensor) {
    reads++;
    return data.call(this);
  } as typeof data;
  proto.dataSync = function (this: tf.Tensor) {
    reads++;
    return dataSync.call(this);
  } as typeof dataSync;
  try {
    await fn();
  } finally {
    proto.data = data;
    proto.dataSync = dataSync;
  }
  return reads;
}

/**
 * The GPU idle share of one profiled run: 1 − Σ kernel times / wall. The profiler's NaN check (it
 * reads every kernel's output back) is switched off for the run.
 */
async function idleShare(fn: () => Promise<void>): Promise<number | null> {
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  try {
    const start = performance.now();
    const info = await tf.profile(fn);
    const wall = performance.now() - start;
    let busy = 0;
    for (const k of info.kernels) {
      const ms = k.kernelTimeMs as number | { error: string };
      if (typeof ms !== 'number') return null;
      busy += ms;
    }
    return Math.max(0, 1 - busy / wall);
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  }
}

/** Reads and idle share of fn, from two more runs. */
async function probe(fn: () => Promise<void>): Promise<{ idle: number | null; reads: number }> {
  const reads = await countReads(fn);
  return { idle: await idleShare(fn), reads };
}

/** Fit y(t1) = R(0.8) y0: the data, the target and an Adam optimizer. */
function rotationData(batch: number, seed: number): { y0: tf.Tensor; target: tf.Tensor; opt: tf.Optimizer } {
  const y0 = tf.randomNormal([batch, 2], 0, 1, 'float32', seed);
  const target = tf.tidy(() => tf.matMul(y0, tf.tensor2d([Math.cos(0.8), Math.sin(0.8), -Math.sin(0.8), Math.cos(0.8)], [2, 2])));
  return { y0, target, opt: tf.train.adam(1e-3) };
}

/**
 * Time training iterations (one `valueAndGradsAsync` and an Adam step each), then probe one:
 * the timings, the reads and idle share, the solver steps and the first and last loss.
 */
async function timeTraining(
  gradients: () => Promise<ValueAndGradsResult<tf.Tensor>>,
  opt: tf.Optimizer,
  size: RunSize,
): Promise<{
  t: { medianMs: number; minMs: number; maxMs: number };
  idle: number | null;
  reads: number;
  steps: number;
  check: Record<string, number>;
}> {
  const losses: number[] = [];
  let steps = 0;
  const iteration = async (): Promise<void> => {
    const r = await gradients();
    opt.applyGradients(r.grads.variables);
    losses.push((await r.value.data())[0] as number);
    steps = r.stats.steps;
    r.dispose();
  };
  const t = await timed(iteration, size.warmup, size.repeats);
  const { idle, reads } = await probe(iteration);
  return { t, idle, reads, steps, check: { lossFirst: losses[0] as number, lossLast: losses.at(-1) as number } };
}

/** Sizes of one run. */
export interface RunSize {
  readonly warmup: number;
  readonly repeats: number;
}

/** y(1) = R(0.8) y0 fitted by dy/dt = MLP(y), 2 → 64 → 64 → 2, tsit5 at rtol 1e-6, atol 1e-8 (torchdiffeq-like tolerances). */
export async function neuralOdeTraining(batch: number, mode: 'ordinary' | 'device', size: RunSize): Promise<GpuRow> {
  const mlp = new MLP({ sizes: [2, 64, 64, 2], activation: 'tanh', seed: 1 });
  const { y0, target, opt } = rotationData(batch, 2);
  const solveOptions: SolveOptions<tf.Tensor> = {
    terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => mlp.apply(y)),
    solver: 'tsit5',
    t0: 0,
    t1: 1,
    y0,
    stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8 }),
    ...(mode === 'device' ? { onDevice: { readEvery: 'auto' as const } } : {}),
  };
  const m = await timeTraining(
    () => valueAndGradsAsync({ loss: (ys) => tf.mean(tf.square(tf.sub(ys, target))), solveOptions, params: mlp }),
    opt,
    size,
  );
  opt.dispose();
  mlp.dispose();
  tf.dispose([y0, target]);
  return row('neural-ode-train', mode, batch, m.t, size, m.steps, m.reads, m.idle, m.check);
}

/** An SDE with MLP drift (2 → 64 → 2) and diagonal diffusion 0.1·sigmoid(MLP) fitted to y(1) = R(0.8) y0 in the mean; 20 Euler steps. */
export async function neuralSdeTraining(batch: number, size: RunSize): Promise<GpuRow> {
  const drift = new MLP({ sizes: [2, 64, 2], activation: 'tanh', seed: 3 });
  const diffusion = new MLP({ sizes: [2, 16, 2], activation: 'tanh', seed: 4 });
  const { y0, target, opt } = rotationData(batch, 5);
  let seed = 0;
  const m = await timeTraining(
    () => {
      const terms = new SDETerm({
        drift: (_t, y) => drift.apply(y),
        diffusion: (_t, y) => tf.mul(0.1, tf.sigmoid(diffusion.apply(y))),
        bm: new BrownianPath({ t0: 0, t1: 1, shape: [batch, 2], key: key(seed++) }),
        noise: 'diagonal',
      });
      return valueAndGradsAsync({
        loss: (ys) => tf.mean(tf.square(tf.sub(ys, target))),
        solveOptions: {
          terms,
          solver: 'euler',
          t0: 0,
          t1: 1,
          y0,
          dt0: 0.05,
          stepSizeController: new ConstantStepSize(),
          checkFinite: false,
        },
        params: { drift, diffusion },
      });
    },
    opt,
    size,
  );
  opt.dispose();
  drift.dispose();
  diffusion.dispose();
  tf.dispose([y0, target]);
  return row('neural-sde-train', 'euler', batch, m.t, size, m.steps, m.reads, m.idle, m.check);
}

const MU = 0.5;
const SIGMA = 0.3;

/** GBM dX = μX dt + σX dW, X₀ = 1, 100 Euler–Maruyama steps; the mean of X₁ against e^μ in standard errors. */
export async function gbmMonteCarlo(batch: number, checkFinite: boolean, size: RunSize): Promise<GpuRow> {
  const y0 = tf.ones([batch, 1]);
  let mean = 0;
  let variance = 0;
  let seed = 0;
  const iteration = async (): Promise<void> => {
    const ys = await sdeintAsync({ f: (_t, y) => tf.mul(y, MU), g: (_t, y) => tf.mul(y, SIGMA) }, y0, [0, 1], {
      method: 'euler',
      dt: 0.01,
      seed: seed++,
      checkFinite,
    });
    const stats = tf.tidy(() => {
      const x1 = tf.slice(ys, [1, 0, 0], [1, batch, 1]);
      const m = tf.mean(x1);
      return tf.stack([m, tf.mean(tf.square(tf.sub(x1, m)))]);
    });
    const [m, v] = Array.from(await stats.data()) as [number, number];
    mean = m;
    variance = v;
    tf.dispose([ys, stats]);
  };
  const t = await timed(iteration, size.warmup, size.repeats);
  const { idle, reads } = await probe(iteration);
  y0.dispose();
  const standardErrors = Math.abs(mean - Math.exp(MU)) / Math.sqrt(variance / batch);
  return row('gbm-monte-carlo', checkFinite ? 'euler, checkFinite' : 'euler', batch, t, size, 100, reads, idle, {
    meanX1: mean,
    standardErrors,
  });
}

function row(
  workload: GpuRow['workload'],
  mode: string,
  batch: number,
  t: { medianMs: number; minMs: number; maxMs: number },
  size: RunSize,
  steps: number,
  hostReads: number,
  gpuIdleShare: number | null,
  check: Record<string, number>,
): GpuRow {
  return {
    workload,
    mode,
    backend: tf.getBackend(),
    batch,
    ...t,
    repeats: size.repeats,
    samplesPerSecond: (1000 * batch) / t.medianMs,
    steps,
    hostReads,
    gpuIdleShare,
    check,
  };
}
