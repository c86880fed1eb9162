/**
 * A synthetic 50-D "mocap-like" data set standing in for the CMU walking data of the latent-SDE talk
 * (50-D observations, 6-D latent space): three coupled, lightly damped oscillators with random
 * per-sequence frequencies, phases and small stochastic forcing (6-D latent state q, p), mapped to
 * 50 features by one fixed random two-layer tanh network, normalised, plus observation noise.
 * Each sequence has 75 frames: the first 50 are observed, the last 25 are predicted (the talk's split).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { Rng } from '../training/seed.js';
import { sliceTimes, type IrregularBatch } from './batch.js';

/** Options of {@link mocapLike}. */
export interface MocapOptions {
  /** Training sequences (default 200). */
  nTrain?: number;
  /** Test sequences (default 50). */
  nTest?: number;
  /** Observed frames (default 50). */
  nObserve?: number;
  /** Predicted frames (default 25). */
  nPredict?: number;
  /** Observed feature dimension (default 50). */
  dataDim?: number;
  /** Time between frames (default 0.1). */
  frameDt?: number;
  /** Latent forcing noise (default 0.3). */
  forcing?: number;
  /**
   * Std of each sequence's speed factor, which scales all three frequencies (default 0.15). A sequence's
   * speed is a 7th latent quantity beside the 6-D phase state; 0 gives every sequence the same frequencies.
   */
  speedSpread?: number;
  /** Observation noise after normalisation (default 0.05). */
  noiseStd?: number;
  /** Seed of the data (the fixed map uses `mapSeed`). */
  seed?: number;
  /** Seed of the fixed latent-to-observation map (default 1234: the same "skeleton" for every seed). */
  mapSeed?: number;
}

/** A split of the mocap-like data. */
export interface MocapSplit {
  /** All frames (fully observed). */
  full: IrregularBatch;
  /** The first `nObserve` frames. */
  observed: IrregularBatch;
  /** The last `nPredict` frames. */
  future: IrregularBatch;
}

/** The mocap-like data set. */
export interface MocapData {
  /** Training split (`nTrain` sequences; the normalisation statistics come from it). */
  train: MocapSplit;
  /** Test split (`nTest` sequences, normalised with the training statistics). */
  test: MocapSplit;
  /** Release every tensor. */
  dispose(): void;
}

const LATENT = 6;

function simulate(n: number, frames: number, frameDt: number, forcing: number, speedSpread: number, rng: Rng): Float64Array {
  const z = new Float64Array(n * frames * LATENT);
  const sub = 10;
  const h = frameDt / sub;
  for (let s = 0; s < n; s++) {
    const speed = 1 + speedSpread * rng.normal();
    const omega = [2.0 * speed, 4.0 * speed, 1.0 * speed];
    const q = [0, 0, 0];
    const p = [0, 0, 0];
    for (let j = 0; j < 3; j++) {
      const amp = 0.8 + 0.3 * rng.uniform();
      const phase = 2 * Math.PI * rng.uniform();
      q[j] = amp * Math.cos(phase);
      p[j] = -amp * (omega[j] as number) * Math.sin(phase);
    }
    for (let f = 0; f < frames; f++) {
      if (f > 0) {
        for (let k = 0; k < sub; k++) {
          for (let j = 0; j < 3; j++) {
            const w = omega[j] as number;
            const couple = 0.3 * ((q[(j + 1) % 3] as number) - (q[j] as number));
            const acc = -w * w * (q[j] as number) - 0.05 * (p[j] as number) + couple;
            p[j] = (p[j] as number) + acc * h + forcing * Math.sqrt(h) * rng.normal();
            q[j] = (q[j] as number) + (p[j] as number) * h;
          }
        }
      }
      const o = (s * frames + f) * LATENT;
      for (let j = 0; j < 3; j++) {
        z[o + j] = q[j] as number;
        z[o + 3 + j] = (p[j] as number) / (omega[j] as number);
      }
    }
  }
  return z;
}

/**
 * Generate train and test splits of the mocap-like data (tensors owned by the caller: `dispose()`).
 * Values are `[count, nObserve + nPredict, dataDim]` on the regular grid `i·frameDt`.
 * @param options - Split sizes, frame counts, dimensions, noise and seeds; every field has a default.
 * @throws InvalidArgumentError when `nObserve < 2` or `nPredict < 1` (or either is not an integer), or `speedSpread` is outside [0, 0.5).
 *
 * @example
 * ```ts
 * const data = mocapLike({ nTrain: 200, nTest: 50, seed: 0 });
 * // fit on data.train.full, then predict data.test.future from data.test.observed
 * data.dispose();
 * ```
 */
export function mocapLike(options: MocapOptions = {}): MocapData {
  const nTrain = options.nTrain ?? 200;
  const nTest = options.nTest ?? 50;
  const nObs = options.nObserve ?? 50;
  const nPred = options.nPredict ?? 25;
  const D = options.dataDim ?? 50;
  const frameDt = options.frameDt ?? 0.1;
  const noise = options.noiseStd ?? 0.05;
  if (!(Number.isInteger(nObs) && nObs >= 2 && Number.isInteger(nPred) && nPred >= 1)) {
    throw new InvalidArgumentError('nObserve/nPredict', `must be integers ≥ 2 and ≥ 1 (got ${nObs}, ${nPred}).`);
  }
  const frames = nObs + nPred;
  const rng = new Rng(options.seed ?? 0);
  const mapRng = new Rng(options.mapSeed ?? 1234);
  const H = 32;
  const A = Array.from({ length: LATENT * H }, () => (mapRng.normal() / Math.sqrt(LATENT)) * 1.5);
  const c = Array.from({ length: H }, () => 0.5 * mapRng.normal());
  const B = Array.from({ length: H * D }, () => mapRng.normal() / Math.sqrt(H));
  const total = nTrain + nTest;
  const speedSpread = options.speedSpread ?? 0.15;
  if (!(speedSpread >= 0 && speedSpread < 0.5)) {
    throw new InvalidArgumentError(
      'speedSpread',
      `must be in [0, 0.5) (got ${speedSpread}).`,
      'Use 0 for equal frequencies in every sequence.',
    );
  }
  const z = simulate(total, frames, frameDt, options.forcing ?? 0.3, speedSpread, rng);
  const x = new Float64Array(total * frames * D);
  const hid = new Float64Array(H);
  for (let r = 0; r < total * frames; r++) {
    for (let k = 0; k < H; k++) {
      let a = c[k] as number;
      for (let j = 0; j < LATENT; j++) a += (z[r * LATENT + j] as number) * (A[j * H + k] as number);
      hid[k] = Math.tanh(a);
    }
    for (let d = 0; d < D; d++) {
      let a = 0;
      for (let k = 0; k < H; k++) a += (hid[k] as number) * (B[k * D + d] as number);
      x[r * D + d] = a;
    }
  }
  // Normalise each feature with the training split's statistics.
  const v = new Float32Array(x.length);
  for (let d = 0; d < D; d++) {
    let mean = 0;
    let sq = 0;
    const cnt = nTrain * frames;
    for (let r = 0; r < cnt; r++) mean += x[r * D + d] as number;
    mean /= cnt;
    for (let r = 0; r < cnt; r++) sq += ((x[r * D + d] as number) - mean) ** 2;
    const std = Math.sqrt(sq / cnt) || 1;
    for (let r = 0; r < total * frames; r++) v[r * D + d] = ((x[r * D + d] as number) - mean) / std + noise * rng.normal();
  }
  const times = Array.from({ length: frames }, (_, i) => i * frameDt);
  const split = (from: number, count: number): MocapSplit => {
    const values = tf.tensor3d(v.subarray(from * frames * D, (from + count) * frames * D), [count, frames, D]);
    const full = { times, values, mask: tf.onesLike(values) as tf.Tensor3D };
    return { full, observed: sliceTimes(full, 0, nObs), future: sliceTimes(full, nObs, frames) };
  };
  const train = split(0, nTrain);
  const test = split(nTrain, nTest);
  return {
    train,
    test,
    dispose: () => {
      for (const s of [train, test]) for (const b of [s.full, s.observed, s.future]) tf.dispose([b.values, b.mask]);
    },
  };
}
