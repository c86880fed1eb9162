// Train a neural ODE with the continuous adjoint (BacksolveAdjoint: O(1) memory in the number of steps):
// learn the flow that rotates points by 90° in one unit of time.
// Run: node neural-ode-adjoint.mjs   (in this repository: pnpm example neural-ode-adjoint)
import * as tf from '@tensorflow/tfjs';
import { useBackend, MLP } from '@nde/core';
import { ODETerm, PIDController } from '@nde/solvers';
import { BacksolveAdjoint, valueAndGrads } from '@nde/adjoint';

await useBackend('wasm');
const mlp = new MLP({ sizes: [2, 32, 2], activation: 'tanh', seed: 0 });
const y0 = tf.randomNormal([128, 2], 0, 1, 'float32', 1);
const target = tf.tidy(() =>
  tf.matMul(
    y0,
    tf.tensor2d([
      [0, 1],
      [-1, 0],
    ]),
  ),
); // rotate by 90°
const optimizer = tf.train.adam(2e-2);
const solveOptions = {
  terms: new ODETerm((_t, y) => mlp.apply(y)),
  solver: 'dopri5',
  t0: 0,
  t1: 1,
  y0,
  stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }),
};
const losses = [];
for (let step = 0; step <= 150; step++) {
  const r = valueAndGrads({
    loss: (ys) => tf.mean(tf.square(tf.sub(ys, target))),
    solveOptions,
    params: mlp,
    adjoint: new BacksolveAdjoint(),
  });
  optimizer.applyGradients(r.grads.variables);
  losses.push(r.value.dataSync()[0]);
  if (step % 30 === 0) console.log(`step ${step}  loss ${losses.at(-1).toFixed(4)}  nfe ${r.stats.nfe}`);
  r.dispose();
}
console.log(`loss ${losses[0].toFixed(4)} → ${losses.at(-1).toFixed(4)}; live tensors: ${tf.memory().numTensors}`);
if (!(losses.at(-1) < 0.2 * losses[0])) process.exit(1);
