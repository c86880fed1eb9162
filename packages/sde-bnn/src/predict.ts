/** Prediction by Monte Carlo over weight paths: predictive probabilities and their uncertainty. */
import * as tf from '@tensorflow/tfjs';
import { assertPositiveInteger } from '@nde/core';
import { fold, key as makeKey, type Key } from '@nde/brownian';
import type { Predictor } from './model.js';

/** Options of {@link predictProbs} and {@link predictRegression}. */
export interface PredictOptions {
  /** Number of weight-path samples n (default 16; deterministic models use 1). */
  samples?: number;
  /** Seed of the weight paths (same seed → same predictions). Default 0. */
  seed?: number | Key;
  /** Examples per forward pass (default 1000). */
  batchSize?: number;
}

/** Predictive distribution of a classifier (host arrays, row-major `[N, K]`). */
export interface ClassPrediction {
  /** Mean over samples of softmax probabilities, `[N·K]`. */
  probs: Float32Array;
  /** Number of classes K. */
  classes: number;
  /** Predictive entropy H[E p] per example (nats). */
  entropy: Float32Array;
  /** Mutual information H[E p] − E H[p] per example (epistemic part; 0 for deterministic models). */
  mutualInformation: Float32Array;
  /** Arg-max class per example. */
  labels: Int32Array;
  /** Number of weight-path samples averaged over (1 for deterministic models). */
  samples: number;
}

function keyOf(seed: number | Key | undefined): Key {
  return typeof seed === 'object' ? seed : makeKey(seed ?? 0);
}

function samplesOf(model: Predictor, n: number | undefined): number {
  const s = model.stochastic ? (n ?? 16) : 1;
  assertPositiveInteger('samples', s);
  return s;
}

/**
 * Predictive class probabilities E_w[softmax(f_w(x))] by Monte Carlo over n weight paths (each
 * sample one path shared by the whole pass), with predictive entropy and mutual information.
 * Leaves no tensors behind; `x` stays the caller's.
 *
 * @param model - the classifier; its `forward` returns logits `[B, K]`. A deterministic model (`stochastic` false) is run once.
 * @param x - inputs `[N, ...]`, sliced along the first axis into batches of `batchSize` (not disposed).
 * @param options - `samples`, the weight paths (default 16), `seed` as a number or `Key` (default 0), and `batchSize` (default 1000); see {@link PredictOptions}.
 *
 * @example
 * ```ts
 * const pred = await predictProbs(model, xTest, { samples: 16, seed: 0 });
 * const ece = await expectedCalibrationError(tf.tensor2d(pred.probs, [n, 10]), labels);
 * ```
 */
export async function predictProbs(model: Predictor, x: tf.Tensor, options: PredictOptions = {}): Promise<ClassPrediction> {
  const n = samplesOf(model, options.samples);
  const base = keyOf(options.seed);
  const N = x.shape[0] as number;
  const bs = options.batchSize ?? 1000;
  let K = 0;
  let probs = new Float32Array(0);
  const expEnt = new Float32Array(N);
  for (let start = 0; start < N; start += bs) {
    const m = Math.min(bs, N - start);
    const [pm, em] = tf.tidy(() => {
      const xb = tf.slice(x, [start, ...x.shape.slice(1).map(() => 0)], [m, ...x.shape.slice(1)]);
      let sum: tf.Tensor | undefined;
      let ent: tf.Tensor | undefined;
      for (let i = 0; i < n; i++) {
        const logp = tf.logSoftmax(model.forward(xb, { key: fold(base, i), groups: 1 }).out);
        const p = tf.exp(logp);
        const h = tf.neg(tf.sum(tf.mul(p, logp), 1));
        sum = sum ? tf.add(sum, p) : p;
        ent = ent ? tf.add(ent, h) : h;
      }
      return [tf.div(sum as tf.Tensor, n), tf.div(ent as tf.Tensor, n)];
    });
    const pv = (await pm.data()) as Float32Array;
    const ev = (await em.data()) as Float32Array;
    if (K === 0) {
      K = pm.shape[1] as number;
      probs = new Float32Array(N * K);
    }
    probs.set(pv, start * K);
    expEnt.set(ev, start);
    tf.dispose([pm, em]);
  }
  const entropy = new Float32Array(N);
  const mutualInformation = new Float32Array(N);
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let h = 0;
    let best = 0;
    for (let k = 0; k < K; k++) {
      const p = probs[i * K + k] as number;
      if (p > 0) h -= p * Math.log(p);
      if (p > (probs[i * K + best] as number)) best = k;
    }
    entropy[i] = h;
    mutualInformation[i] = Math.max(0, h - (expEnt[i] as number));
    labels[i] = best;
  }
  return { probs, classes: K, entropy, mutualInformation, labels, samples: n };
}

/** Predictive distribution of a regression model (host arrays, `[N·out]`). */
export interface RegressionPrediction {
  /** Mean over weight samples. */
  mean: Float32Array;
  /** Standard deviation over weight samples (epistemic). */
  std: Float32Array;
  /** Every sample, `[n·N·out]`. */
  draws: Float32Array;
  /** Output width `out` per example. */
  outputs: number;
  /** Number of weight-path samples n (1 for deterministic models). */
  samples: number;
}

/**
 * Predictive mean and epistemic standard deviation of a regression model over n weight paths.
 *
 * @param model - the regression model; its `forward` returns `[N, out]`. A deterministic model (`stochastic` false) is run once.
 * @param x - inputs `[N, ...]`, passed whole to every sample (no batching; not disposed).
 * @param options - `samples`, the weight paths (default 16), and `seed` as a number or `Key` (default 0); `batchSize` is not used here.
 *
 * @example
 * ```ts
 * const { mean, std } = await predictRegression(model, xGrid, { samples: 32, seed: 1 });
 * ```
 */
export async function predictRegression(model: Predictor, x: tf.Tensor, options: PredictOptions = {}): Promise<RegressionPrediction> {
  const n = samplesOf(model, options.samples);
  const base = keyOf(options.seed);
  const draws = tf.tidy(() => tf.stack(Array.from({ length: n }, (_, i) => model.forward(x, { key: fold(base, i), groups: 1 }).out)));
  const d = (await draws.data()) as Float32Array;
  const [, N, out] = draws.shape as [number, number, number];
  draws.dispose();
  const mean = new Float32Array(N * out);
  const std = new Float32Array(N * out);
  for (let j = 0; j < N * out; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += d[i * N * out + j] as number;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += ((d[i * N * out + j] as number) - m) ** 2;
    mean[j] = m;
    std[j] = Math.sqrt(v / Math.max(1, n - 1));
  }
  return { mean, std, draws: d, outputs: out, samples: n };
}
