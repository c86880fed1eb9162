/**
 * Reproduction: a small CNF on Fashion-MNIST (28×28, uniform dequantisation, logit transform
 * with α = 0.05), reporting test bits/dim after a bounded training budget.
 *
 * Model: one ConcatSquash MLP block 784-256-256-784 (softplus), T = 1, Hutchinson trace (Rademacher,
 * one probe per solve), fixed-step rk4 (2 steps, 8 NFE; cheaper than dopri5 in the budget), Adam lr 3e-3, batch 32, kinetic-energy 0.01.
 * Budget: CNF_FASHION_SECONDS of training (default 480 s, the committed run) + evaluation on 500 test images, wasm.
 * This is far below FFJORD's budget (multiscale conv nets, days on GPUs: 0.99 bpd on MNIST);
 * the number is reported as reached. Outputs in results/repro/cnf-fashion/: samples.png,
 * loss.svg, results.json.
 *
 *   cd apps/benchmarks && node --import tsx src/repro/cnf-fashion.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@nde/core';
import { CNF, ConcatSquashMLP } from '@nde/latent-models';
import { bitsPerDim } from '@nde/metrics';
import { loadFashionMnist } from '@nde/data';
import { gray, grid, lineChart, upscale, writePng, writeText } from '@nde/plot';

const OUT = new URL('../../results/repro/cnf-fashion/', import.meta.url).pathname;
const SECONDS = Number(process.env.CNF_FASHION_SECONDS ?? 480);
const ALPHA = 0.05;
const D = 784;
const BATCH = 32;

/** Dequantise + logit: returns y and log|dy/dx| per example (x in [0, 1] after dequantisation). */
function preprocess(pixels: Uint8Array, idx: readonly number[], seed: number): { y: tf.Tensor2D; logdet: tf.Tensor1D } {
  return tf.tidy(() => {
    const raw = new Float32Array(idx.length * D);
    idx.forEach((k, i) => raw.set(pixels.subarray(k * D, (k + 1) * D), i * D));
    const x = tf.div(tf.add(tf.tensor2d(raw, [idx.length, D]), tf.randomUniform([idx.length, D], 0, 1, 'float32', seed)), 256);
    const s = tf.add(ALPHA, tf.mul(1 - 2 * ALPHA, x));
    const y = tf.sub(tf.log(s), tf.log(tf.sub(1, s))) as tf.Tensor2D;
    const logdet = tf.sum(tf.sub(Math.log(1 - 2 * ALPHA), tf.add(tf.log(s), tf.log(tf.sub(1, s)))), 1) as tf.Tensor1D;
    return { y, logdet };
  });
}

await useBackend('wasm');
mkdirSync(OUT, { recursive: true });
const { train, test } = await loadFashionMnist();
const field = new ConcatSquashMLP({ dim: D, hidden: [256, 256], activation: 'softplus', seed: 3 });
const cnf = new CNF({
  field,
  T: 1,
  trace: 'hutchinson',
  noise: 'rademacher',
  solver: 'rk4',
  dt: 0.5,
  regularization: { kinetic: 0.01 },
  seed: 5,
});
const opt = tf.train.adam(3e-3);
const curve: { it: number; bpd: number; nfe: number }[] = [];
const t0 = performance.now();
let it = 0;
while ((performance.now() - t0) / 1000 < SECONDS) {
  const idx = Array.from({ length: BATCH }, (_, i) => (it * BATCH + i * 7919) % train.count);
  const { y, logdet } = preprocess(train.images, idx, it);
  const loss = cnf.trainStep(opt, y); // mean NLL of y (+ small KE term)
  const meanLogdet = (await logdet.mean().data())[0]!;
  tf.dispose([y, logdet]);
  const bpd = await bitsPerDim(-loss + meanLogdet, { dims: D });
  curve.push({ it, bpd, nfe: cnf.stats.nfeForward });
  if (it % 10 === 0)
    console.log(`iter ${it} train bpd ≈ ${bpd.toFixed(3)} nfe ${cnf.stats.nfeForward} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  it++;
}
const trainSeconds = (performance.now() - t0) / 1000;
// Test bits/dim on 500 test images (Hutchinson: an unbiased log-likelihood estimate).
const lls: number[] = [];
let nfeEval = 0;
for (let b = 0; b < 500; b += 100) {
  const { y, logdet } = preprocess(
    test.images,
    Array.from({ length: 100 }, (_, i) => b + i),
    10_000 + b,
  );
  const lp = cnf.logProb(y);
  nfeEval = Math.max(nfeEval, cnf.stats.nfeForward);
  const v = await tf.add(lp, logdet).data();
  lls.push(...Array.from(v));
  tf.dispose([y, logdet, lp]);
}
const testBpd = await bitsPerDim(lls, { dims: D });
// Samples
const { x: ys } = cnf.sample(16, 3);
const imgs = tf.tidy(() => tf.div(tf.sub(tf.sigmoid(ys), ALPHA), 1 - 2 * ALPHA).clipByValue(0, 1));
const iv = await imgs.data();
tf.dispose([ys, imgs]);
writePng(
  `${OUT}samples.png`,
  upscale(
    grid(
      Array.from({ length: 16 }, (_, i) => gray(iv.subarray(i * D, (i + 1) * D), 28, 28)),
      8,
      1,
    ),
    3,
  ),
);
writeText(
  `${OUT}loss.svg`,
  await lineChart([{ name: 'train bits/dim (batch)', x: curve.map((c) => c.it), y: curve.map((c) => c.bpd) }], {
    title: 'CNF on Fashion-MNIST',
    xLabel: 'iteration',
    yLabel: 'bits/dim',
  }),
);
const result = {
  backend: 'wasm',
  model:
    'ConcatSquash MLP 784-256-256-784 softplus, T=1, Hutchinson (Rademacher), rk4 2 fixed steps, kinetic 0.01, logit α=0.05, uniform dequantisation',
  budgetSeconds: SECONDS,
  iterations: it,
  trainSeconds: +trainSeconds.toFixed(1),
  trainBpdFirst: curve[0]?.bpd,
  trainBpdLast10: curve.slice(-10).reduce((a, c) => a + c.bpd, 0) / Math.max(1, Math.min(10, curve.length)),
  testBpd,
  testImages: 500,
  nfeTrainFirst: curve[0]?.nfe,
  nfeTrainLast: curve[curve.length - 1]?.nfe,
  nfeEval,
  nfeBackward: 0,
  reference: 'FFJORD (Grathwohl et al. 2019) reports 0.99 bits/dim on MNIST with a multiscale conv CNF; a uniform model is 8 bits/dim.',
};
writeFileSync(`${OUT}results.json`, JSON.stringify(result, null, 2));
console.log(JSON.stringify(result, null, 2));
