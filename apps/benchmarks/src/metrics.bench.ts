/**
 * Fréchet distance on 10,000 × 2048 features (the FID setting): streaming covariance on tfjs
 * (float32 Gram per 1024-row chunk, float64 accumulation) + float64 Cholesky / tridiagonal QL in JS.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from '@nde/core';
import { StreamingMoments, frechetDistance, traceSqrtProduct, type GaussianStats } from '@nde/metrics';
import { timeIt, writeResults, type BenchRow } from './harness.js';

const N = 10_000;
const D = 2048;

function features(seed: number, shift: number): tf.Tensor2D {
  // Correlated Gaussian features: Z·A/√D + shift, A fixed (seed 0) so both sets share a structure.
  return tf.tidy(() => {
    const a = tf.randomNormal([D, D], 0, 1, 'float32', 7).div(Math.sqrt(D));
    const z = tf.randomNormal([N, D], 0, 1, 'float32', seed);
    return tf.matMul(z, a).add(shift) as tf.Tensor2D;
  });
}

async function stats(x: tf.Tensor2D): Promise<GaussianStats> {
  const acc = new StreamingMoments(D);
  for (let s = 0; s < N; s += 2000) {
    const b = x.slice(s, 2000);
    await acc.update(b);
    b.dispose();
  }
  return acc.result();
}

export async function run(backends: string[]): Promise<void> {
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    if (backend === 'cpu') {
      console.log('[skip] cpu: tfjs-cpu matmul at 2048 is ~100× slower than wasm (a 10k×2048 Gram takes minutes); use wasm/webgpu');
      continue;
    }
    await useBackend(backend as BackendName);
    const x = features(1, 0);
    const y = features(2, 0.1);
    let peakRss = process.memoryUsage().rss;
    const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
    let s1: GaussianStats | undefined;
    let s2: GaussianStats | undefined;
    const tStats = await timeIt(
      async () => {
        s1 = await stats(x);
        sample();
        s2 = await stats(y);
        sample();
      },
      { warmup: 0, repeats: 1 },
    );
    console.log(`stats: ${tStats.medianMs.toFixed(0)} ms`);
    rows.push({
      backend,
      problem: `stats 2×${N}×${D}`,
      method: 'StreamingMoments (tfjs Gram + f64 accumulate)',
      ...tStats,
      peakRssMB: Math.round(peakRss / 2 ** 20),
    });
    let mixed = 0;
    const tTrace = await timeIt(
      async () => {
        mixed = (await traceSqrtProduct(s1!.covariance, s2!.covariance, { products: 'tfjs' })).trace;
        sample();
      },
      { warmup: 0, repeats: 1 },
    );
    console.log(`trace (tfjs products): ${tTrace.medianMs.toFixed(0)} ms`);
    rows.push({
      backend,
      problem: `tr sqrt(S1 S2), d=${D}`,
      method: 'Cholesky f64 + tfjs products + tridiag QL f64',
      ...tTrace,
      peakRssMB: Math.round(peakRss / 2 ** 20),
    });
    let exact = 0;
    const tExact = await timeIt(
      async () => {
        exact = (await traceSqrtProduct(s1!.covariance, s2!.covariance, { products: 'float64' })).trace;
        sample();
      },
      { warmup: 0, repeats: 1 },
    );
    console.log(`trace (float64): ${tExact.medianMs.toFixed(0)} ms`);
    rows.push({
      backend,
      problem: `tr sqrt(S1 S2), d=${D}`,
      method: 'all float64 JS',
      ...tExact,
      error: Math.abs(mixed - exact) / exact,
      peakRssMB: Math.round(peakRss / 2 ** 20),
    });
    let fid = 0;
    const tAll = await timeIt(
      async () => {
        const a = await stats(x);
        const b = await stats(y);
        fid = (await frechetDistance(a, b)).distance;
        sample();
      },
      { warmup: 0, repeats: 1 },
    );
    rows.push({
      backend,
      problem: `FID ${N}×${D}`,
      method: 'end to end (default options)',
      ...tAll,
      fid,
      peakRssMB: Math.round(peakRss / 2 ** 20),
      tfMB: Math.round(tf.memory().numBytes / 2 ** 20),
    });
    x.dispose();
    y.dispose();
  }
  writeResults(
    'metrics',
    rows,
    `Fréchet distance on ${N}×${D} features. 'error' = relative difference of tr √(Σ₁Σ₂) between tfjs-float32 products and all-float64. peakRssMB = process RSS (includes the two ${N}×${D} feature tensors, ${Math.round((2 * N * D * 4) / 2 ** 20)} MB).`,
  );
}
