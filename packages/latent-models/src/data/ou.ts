/**
 * A 1-D Ornstein–Uhlenbeck-type data set: dX = θ(μ − X) dt + σ dW from a spread of starting points,
 * sampled exactly (no discretisation error) at irregular times, with optional observation noise.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, assertPositive } from '@nde/core';
import { Rng } from '../training/seed.js';
import type { IrregularBatch } from './batch.js';

/** Options of {@link ouProcess}. */
export interface OUOptions {
  /** Number of paths (default 64). */
  n?: number;
  /** Points of the regular grid the observations are drawn from (default 50). */
  nTimes?: number;
  /** End time (default 2). */
  t1?: number;
  /** Mean-reversion rate θ (default 2). */
  theta?: number;
  /** Long-run mean μ (default 0). */
  mu?: number;
  /** Diffusion σ (default 0.5). */
  sigma?: number;
  /** Mean of X(0) (default 1). */
  x0Mean?: number;
  /** Standard deviation of X(0) (default 0.2). */
  x0Std?: number;
  /** Probability that a grid point is observed (default 0.5: irregular times per path). */
  keepProbability?: number;
  /** Observation noise std (default 0.01). */
  noiseStd?: number;
  /** Integer seed of the paths, observation pattern and noise (default 0). */
  seed?: number;
}

/**
 * Sample OU paths on an irregular (masked) grid. The tensors belong to the caller.
 * The first grid point (t = 0) is always observed.
 * @param options - Process parameters, grid, observation probability and seed; every field has a default.
 * @returns `batch` (`values`/`mask` `[n, nTimes, 1]`) and `params`, the resolved options (defaults filled in).
 * @throws InvalidArgumentError when `t1` or `theta` is not positive or `keepProbability` is outside (0, 1].
 *
 * @example
 * ```ts
 * const data = ouProcess({ n: 64, seed: 0 }); // data.batch: [64, 50, 1] with mask
 * ```
 */
export function ouProcess(options: OUOptions = {}): { batch: IrregularBatch; params: Required<Omit<OUOptions, 'seed'>> } {
  const n = options.n ?? 64;
  const nTimes = options.nTimes ?? 50;
  const t1 = options.t1 ?? 2;
  const theta = options.theta ?? 2;
  const mu = options.mu ?? 0;
  const sigma = options.sigma ?? 0.5;
  const x0Mean = options.x0Mean ?? 1;
  const x0Std = options.x0Std ?? 0.2;
  const keep = options.keepProbability ?? 0.5;
  const noiseStd = options.noiseStd ?? 0.01;
  assertPositive('t1', t1);
  assertPositive('theta', theta);
  if (!(keep > 0 && keep <= 1)) throw new InvalidArgumentError('keepProbability', `must be in (0, 1] (got ${keep}).`);
  const rng = new Rng(options.seed ?? 0);
  const times = Array.from({ length: nTimes }, (_, i) => (t1 * i) / (nTimes - 1));
  const v = new Float32Array(n * nTimes);
  const m = new Float32Array(n * nTimes);
  for (let s = 0; s < n; s++) {
    let x = x0Mean + x0Std * rng.normal();
    for (let i = 0; i < nTimes; i++) {
      if (i > 0) {
        const dt = (times[i] as number) - (times[i - 1] as number);
        const e = Math.exp(-theta * dt);
        x = mu + (x - mu) * e + sigma * Math.sqrt((1 - e * e) / (2 * theta)) * rng.normal();
      }
      const observed = i === 0 || rng.uniform() < keep;
      if (observed) {
        v[s * nTimes + i] = x + noiseStd * rng.normal();
        m[s * nTimes + i] = 1;
      }
    }
  }
  return {
    batch: { times, values: tf.tensor3d(v, [n, nTimes, 1]), mask: tf.tensor3d(m, [n, nTimes, 1]) },
    params: { n, nTimes, t1, theta, mu, sigma, x0Mean, x0Std, keepProbability: keep, noiseStd },
  };
}
