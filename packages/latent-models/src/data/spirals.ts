/**
 * The irregular spirals of the Neural ODE paper (Chen et al. 2018, §5.1; torchdiffeq's
 * `examples/latent_ode.py`): half clockwise, half counter-clockwise 2-D Archimedean spirals, each
 * starting at a random point, sampled at `nSample` regular times with Gaussian noise; the model sees
 * a random subset of the first `observeUntil` fraction (irregular times) and must extrapolate.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { Rng } from '../training/seed.js';
import type { IrregularBatch } from './batch.js';

/** Options of {@link spirals}. */
export interface SpiralOptions {
  /** Number of spirals (default 1000). */
  n?: number;
  /** Points of the underlying fine trajectory (default 500). */
  nTotal?: number;
  /** Regular samples per spiral (default 100). */
  nSample?: number;
  /** Angle range of the fine trajectory (default 6π). */
  stop?: number;
  /** Observation noise (default 0.3, as torchdiffeq's example). */
  noiseStd?: number;
  /** Radial growth (default 0.3). */
  b?: number;
  /** Fraction of the samples that is "observed"; the rest is the extrapolation target (default 0.5). */
  observeFraction?: number;
  /** Observed points per spiral, drawn at random from the observed part (default 30: irregular times). */
  nObserved?: number;
  /** Integer seed of the start points, noise and observed subsets (default 0). */
  seed?: number;
}

/** Spiral data: the regular grid, noisy/clean values, the irregular observed part and the target part. */
export interface SpiralData {
  /** Regular grid of all `nSample` times. */
  times: number[];
  /** Noisy samples on the whole grid, masked to the observed irregular points (to train on). */
  observed: IrregularBatch;
  /** Noisy samples on the extrapolation part of the grid (to test on), fully observed. */
  future: IrregularBatch;
  /** Noise-free values on the whole grid `[n, nSample, 2]`. */
  clean: tf.Tensor3D;
  /** +1 counter-clockwise, −1 clockwise, per spiral. */
  direction: number[];
  /** Release every tensor. */
  dispose(): void;
}

/**
 * Generate the irregular spiral data set. Tensors belong to the caller: release them with `dispose()`.
 * @param options - Sizes, noise, observed fraction and seed; every field has a default.
 * @throws InvalidArgumentError when `nTotal ≤ 2·nSample`, `observeFraction` leaves fewer than 2 or all samples, or `nObserved` is out of range.
 *
 * @example
 * ```ts
 * const data = spirals({ n: 300, nObserved: 30, seed: 0 });
 * // train on data.observed, test extrapolation on data.future
 * data.dispose();
 * ```
 */
export function spirals(options: SpiralOptions = {}): SpiralData {
  const n = options.n ?? 1000;
  const nTotal = options.nTotal ?? 500;
  const nSample = options.nSample ?? 100;
  const stop = options.stop ?? 6 * Math.PI;
  const noise = options.noiseStd ?? 0.3;
  const b = options.b ?? 0.3;
  const frac = options.observeFraction ?? 0.5;
  const nObsPart = Math.round(nSample * frac);
  const nObserved = options.nObserved ?? 30;
  if (!(nTotal > 2 * nSample)) throw new InvalidArgumentError('nTotal', `must exceed 2·nSample (got ${nTotal}, nSample ${nSample}).`);
  if (!(nObsPart >= 2 && nObsPart < nSample))
    throw new InvalidArgumentError('observeFraction', `leaves ${nObsPart} observed samples of ${nSample}.`, 'Use a fraction in (0, 1).');
  if (!(Number.isInteger(nObserved) && nObserved >= 1 && nObserved <= nObsPart)) {
    throw new InvalidArgumentError('nObserved', `must be an integer in [1, ${nObsPart}] (got ${nObserved}).`);
  }
  const rng = new Rng(options.seed ?? 0);
  const origTs = Array.from({ length: nTotal }, (_, i) => (stop * i) / (nTotal - 1));
  const cw = origTs.map((t) => {
    const z = stop + 1 - t;
    const r = (b * 50) / z;
    return [r * Math.cos(z) - 5, r * Math.sin(z)];
  });
  const cc = origTs.map((z) => {
    const r = b * z;
    return [r * Math.cos(z) + 5, r * Math.sin(z)];
  });
  const times = origTs.slice(0, nSample);
  const clean = new Float32Array(n * nSample * 2);
  const noisy = new Float32Array(n * nSample * 2);
  const mask = new Float32Array(n * nObsPart * 2);
  const direction: number[] = [];
  for (let s = 0; s < n; s++) {
    const start = rng.int(nTotal - 2 * nSample);
    const ccw = s >= n / 2;
    direction.push(ccw ? 1 : -1);
    const traj = ccw ? cc : cw;
    for (let i = 0; i < nSample; i++) {
      const p = traj[start + i] as number[];
      for (let d = 0; d < 2; d++) {
        const o = (s * nSample + i) * 2 + d;
        clean[o] = p[d] as number;
        noisy[o] = (p[d] as number) + noise * rng.normal();
      }
    }
    const picks = rng.permutation(nObsPart).slice(0, nObserved);
    for (const i of picks) mask[(s * nObsPart + i) * 2] = mask[(s * nObsPart + i) * 2 + 1] = 1;
  }
  const all = tf.tensor3d(noisy, [n, nSample, 2]);
  const obsValues = tf.slice(all, [0, 0, 0], [n, nObsPart, 2]) as tf.Tensor3D;
  const futValues = tf.slice(all, [0, nObsPart, 0], [n, nSample - nObsPart, 2]) as tf.Tensor3D;
  all.dispose();
  const obsMask = tf.tensor3d(mask, [n, nObsPart, 2]);
  const masked = tf.mul(obsValues, obsMask) as tf.Tensor3D;
  obsValues.dispose();
  const observed = { times: times.slice(0, nObsPart), values: masked, mask: obsMask };
  const future = { times: times.slice(nObsPart), values: futValues, mask: tf.onesLike(futValues) as tf.Tensor3D };
  const cleanT = tf.tensor3d(clean, [n, nSample, 2]);
  return {
    times,
    observed,
    future,
    clean: cleanT,
    direction,
    dispose: () => tf.dispose([observed.values, observed.mask, future.values, future.mask, cleanT]),
  };
}
