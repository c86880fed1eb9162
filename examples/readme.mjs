// The root README's "Ten lines": a neural vector field solved with tsit5, saved at three times.
// Run: node readme.mjs   (in this repository: pnpm example readme)
import * as tf from '@tensorflow/tfjs';
import { useBackend, MLP } from '@nde/core';
import { solve, ODETerm, PIDController } from '@nde/solvers';

await useBackend('wasm');
const f = new MLP({ sizes: [2, 64, 2], activation: 'tanh', seed: 0 });
const sol = solve({
  terms: new ODETerm((t, y) => f.apply(y)),
  solver: 'tsit5',
  t0: 0,
  t1: 1,
  y0: tf.randomNormal([256, 2], 0, 1, 'float32', 0),
  stepSizeController: new PIDController({ rtol: 1e-4, atol: 1e-6 }),
  saveAt: { ts: [0, 0.5, 1] },
});
console.log(sol.ys.shape, sol.stats); // [3, 256, 2] { nfe, accepted, rejected, steps }
