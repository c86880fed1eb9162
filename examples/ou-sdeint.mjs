// An Ornstein–Uhlenbeck process dX = θ(μ − X) dt + σ dW with sdeint, 4000 paths: the sample mean and
// variance at t = 1 against the exact ones.
// Run: node ou-sdeint.mjs   (in this repository: pnpm example ou-sdeint)
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@nde/core';
import { BrownianPath } from '@nde/brownian';
import { sdeint } from '@nde/solvers';

await useBackend('wasm');
const [theta, mu, sigma, x0, n] = [2, 1, 0.5, 0, 4000];
const bm = new BrownianPath({ t0: 0, t1: 1, shape: [n, 1], key: 0 });
const sde = {
  f: (_t, y) => tf.mul(tf.sub(mu, y), theta),
  g: (_t, y) => tf.fill(y.shape, sigma),
  noiseType: 'diagonal',
  sdeType: 'ito',
};
const ys = sdeint(sde, tf.fill([n, 1], x0), [0, 0.5, 1], { method: 'euler', dt: 0.01, bm }); // [3, n, 1]
const x1 = ys.slice([2, 0, 0], [1, n, 1]);
const { mean, variance } = tf.moments(x1);
const [m, v] = [(await mean.data())[0], (await variance.data())[0]];
const exactMean = mu + (x0 - mu) * Math.exp(-theta);
const exactVar = ((sigma * sigma) / (2 * theta)) * (1 - Math.exp(-2 * theta));
console.log(`mean ${m.toFixed(4)} (exact ${exactMean.toFixed(4)}), variance ${v.toFixed(4)} (exact ${exactVar.toFixed(4)})`);
tf.dispose([ys, x1, mean, variance]);
// 4000 paths: the mean's standard error is ~0.006; allow 5 of them (plus Euler's O(dt) bias).
if (Math.abs(m - exactMean) > 0.04 || Math.abs(v - exactVar) > 0.02) process.exit(1);
