/**
 * Stochastic Lorenz data (torchsde's `examples/latent_sde_lorenz.py`): dx = σ(y − x) dt + α₁ x dW₁,
 * dy = (x(ρ − z) − y) dt + α₂ y dW₂, dz = (xy − βz) dt + α₃ z dW₃, simulated by Euler–Maruyama on a
 * fine grid, then normalised per feature and observed with small noise.
 */
import * as tf from '@tensorflow/tfjs';
import { assertPositive } from '@nde/core';
import { Rng } from '../training/seed.js';
import type { IrregularBatch } from './batch.js';

/** Options of {@link stochasticLorenz}. */
export interface LorenzOptions {
  /** Number of paths (default 128). */
  n?: number;
  /** Saved times on [0, t1] (default 100). */
  nTimes?: number;
  /** End time (default 1). */
  t1?: number;
  /** Simulation step (default 1e-3). */
  dt?: number;
  /** Lorenz σ, coupling of x to y − x (default 10). */
  sigma?: number;
  /** Lorenz ρ (default 28). */
  rho?: number;
  /** Lorenz β, decay rate of z (default 8/3). */
  beta?: number;
  /** Multiplicative diffusion per coordinate (default [0.15, 0.15, 0.15]). */
  alpha?: readonly [number, number, number];
  /** Observation noise after normalisation (default 0.01). */
  noiseStd?: number;
  /** Integer seed of the initial states (standard normal), Brownian increments and noise (default 0). */
  seed?: number;
}

/**
 * Generate stochastic Lorenz paths `[n, nTimes, 3]`, normalised to zero mean and unit std per feature.
 * The batch is fully observed on a regular grid; its tensors belong to the caller (`disposeBatch`).
 * @param options - System constants, grid, step, noise and seed; every field has a default.
 * @throws InvalidArgumentError when `t1` or `dt` is not positive.
 *
 * @example
 * ```ts
 * const { batch } = stochasticLorenz({ n: 128, seed: 0 });
 * ```
 */
export function stochasticLorenz(options: LorenzOptions = {}): { batch: IrregularBatch } {
  const n = options.n ?? 128;
  const nTimes = options.nTimes ?? 100;
  const t1 = options.t1 ?? 1;
  const dt = options.dt ?? 1e-3;
  const [s, r, b] = [options.sigma ?? 10, options.rho ?? 28, options.beta ?? 8 / 3];
  const alpha = options.alpha ?? [0.15, 0.15, 0.15];
  const noise = options.noiseStd ?? 0.01;
  assertPositive('t1', t1);
  assertPositive('dt', dt);
  const rng = new Rng(options.seed ?? 0);
  const times = Array.from({ length: nTimes }, (_, i) => (t1 * i) / (nTimes - 1));
  const out = new Float64Array(n * nTimes * 3);
  const sq = Math.sqrt(dt);
  for (let k = 0; k < n; k++) {
    let [x, y, z] = [rng.normal(), rng.normal(), rng.normal()];
    let t = 0;
    for (let i = 0; i < nTimes; i++) {
      const target = times[i] as number;
      while (t < target - 1e-12) {
        const h = Math.min(dt, target - t);
        const sh = h === dt ? sq : Math.sqrt(h);
        const nx = x + s * (y - x) * h + alpha[0] * x * sh * rng.normal();
        const ny = y + (x * (r - z) - y) * h + alpha[1] * y * sh * rng.normal();
        const nz = z + (x * y - b * z) * h + alpha[2] * z * sh * rng.normal();
        [x, y, z] = [nx, ny, nz];
        t += h;
      }
      out.set([x, y, z], (k * nTimes + i) * 3);
    }
  }
  const v = new Float32Array(out.length);
  for (let d = 0; d < 3; d++) {
    let mean = 0;
    let sqs = 0;
    for (let j = d; j < out.length; j += 3) mean += out[j] as number;
    mean /= n * nTimes;
    for (let j = d; j < out.length; j += 3) sqs += ((out[j] as number) - mean) ** 2;
    const std = Math.sqrt(sqs / (n * nTimes)) || 1;
    for (let j = d; j < out.length; j += 3) v[j] = ((out[j] as number) - mean) / std + noise * rng.normal();
  }
  const values = tf.tensor3d(v, [n, nTimes, 3]);
  return { batch: { times, values, mask: tf.onesLike(values) as tf.Tensor3D } };
}
