/** Shared test problems: the neural-ODE parity setup and the neural SDE of neural_sde_adjoint.json. */
import * as tf from '@tensorflow/tfjs';
import { MLP } from '@nde/core';
import { VirtualBrownianTree } from '@nde/brownian';
import { ODETerm, PIDController, SDETerm, type SolveOptions } from '@nde/solvers';
import { loadReference, parityMlp } from '@nde/test-utils';

export interface ParityRef {
  parity_data: {
    weights: Record<string, number[][] | number[]>;
    y0: number[][];
    grad_backprop_float32: Record<string, number[][] | number[]>;
  };
  counts: { loss: number; adjoint_vs_backprop_grad_rel_err: number[] };
}

export function parityProblem(): { mlp: MLP; y0: tf.Tensor2D; options: SolveOptions<tf.Tensor>; ref: ParityRef; dispose(): void } {
  const ref = loadReference<ParityRef>('neural_ode_parity.json');
  const { mlp, y0: makeY0 } = parityMlp();
  const y0 = makeY0();
  const options: SolveOptions<tf.Tensor> = {
    terms: new ODETerm((_t: number, y: tf.Tensor) => mlp.apply(y)),
    solver: 'dopri5',
    t0: 0,
    t1: 1,
    y0,
    stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }),
  };
  return { mlp, y0, options, ref, dispose: () => (mlp.dispose(), y0.dispose()) };
}

/** Torch-layout reference gradient of our parameter `layers.i.{weight,bias}` (weights transposed to [in, out]). */
export function torchGrad(ref: ParityRef, name: string): number[] {
  const [, layer, kind] = name.split('.');
  const g = ref.parity_data.grad_backprop_float32[`${layer === '0' ? '0' : '2'}.${kind}`] as number[][] | number[];
  if (kind === 'weight') return (g as number[][])[0]!.map((_, i) => (g as number[][]).map((row) => row[i] as number)).flat();
  return g as number[];
}

export interface NeuralSde {
  drift: MLP;
  diffusion: MLP;
  y0: tf.Tensor2D;
  bm: VirtualBrownianTree;
  options(solver: string, dt: number): SolveOptions<tf.Tensor>;
  dispose(): void;
}

/** State 4, batch 64, drift MLP 4→32→4 tanh, diffusion MLP 4→32→4 tanh + sigmoid (mixing, diagonal noise), Stratonovich. */
export function neuralSde(batch = 64, seed = 0): NeuralSde {
  const drift = new MLP({ sizes: [4, 32, 4], activation: 'tanh', seed: 100 + seed });
  const diffusion = new MLP({ sizes: [4, 32, 4], activation: 'tanh', finalActivation: 'sigmoid', seed: 200 + seed });
  const y0 = tf.tidy(() => tf.mul(tf.randomNormal([batch, 4], 0, 1, 'float32', 300 + seed), 0.5) as tf.Tensor2D);
  const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [batch, 4], key: 7 + seed, tol: 1e-4 });
  const term = new SDETerm({
    drift: (_t, y) => drift.apply(y),
    diffusion: (_t, y) => diffusion.apply(y),
    bm,
    noise: 'diagonal',
    sdeType: 'stratonovich',
  });
  return {
    drift,
    diffusion,
    y0,
    bm,
    options: (solver, dt) => ({ terms: term, solver, t0: 0, t1: 1, y0, dt0: dt, checkFinite: false }),
    dispose: () => (drift.dispose(), diffusion.dispose(), y0.dispose()),
  };
}

/** ‖a − b‖ / ‖b‖. */
export function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  let d = 0;
  for (let i = 0; i < b.length; i++) {
    n += ((a[i] as number) - (b[i] as number)) ** 2;
    d += (b[i] as number) ** 2;
  }
  return Math.sqrt(n / Math.max(d, 1e-300));
}

/** Max over named gradients of the relative error of `a` against `b`. */
export async function maxRel(
  a: Record<string, tf.Tensor>,
  b: Record<string, tf.Tensor>,
): Promise<{ max: number; each: Record<string, number> }> {
  const each: Record<string, number> = {};
  for (const k of Object.keys(b)) each[k] = rel(await (a[k] as tf.Tensor).data(), await (b[k] as tf.Tensor).data());
  return { max: Math.max(...Object.values(each)), each };
}

/** Run fn counting the `dataSync` calls made meanwhile (restored after, also on an error). */
export async function countingDataSync<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const original = tf.Tensor.prototype.dataSync;
  let calls = 0;
  tf.Tensor.prototype.dataSync = function (this: tf.Tensor) {
    calls++;
    return original.call(this);
  } as typeof original;
  try {
    return { result: await fn(), calls };
  } finally {
    tf.Tensor.prototype.dataSync = original;
  }
}
