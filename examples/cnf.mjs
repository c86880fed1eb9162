// A continuous normalizing flow (FFJORD-style, exact trace) on the 8-gaussians toy: a few hundred Adam
// steps lower the test negative log-likelihood.
// Run: node cnf.mjs   (in this repository: pnpm example cnf)
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@nde/core';
import { CNF, ConcatSquashMLP, sampleToy2d } from '@nde/latent-models';

await useBackend('wasm');
const steps = Number(process.env.NDE_EXAMPLE_STEPS ?? 150);
const field = new ConcatSquashMLP({ dim: 2, hidden: [32, 32], activation: 'tanh', seed: 0 });
const cnf = new CNF({ field, T: 0.5, trace: 'exact', rtol: 1e-3, atol: 1e-3 });
const opt = tf.train.adam(1e-2);
const test = tf.tensor2d(sampleToy2d('8gaussians', 512, 123), [512, 2]);
const nll = () => tf.tidy(() => -tf.mean(cnf.logProb(test)).dataSync()[0]);
const before = nll();
for (let i = 0; i < steps; i++) {
  const x = tf.tensor2d(sampleToy2d('8gaussians', 128, i), [128, 2]);
  const loss = cnf.trainStep(opt, x);
  x.dispose();
  if (i % 50 === 0) console.log(`step ${i}  train NLL ${Number(loss).toFixed(3)}  nfe ${cnf.stats.nfeForward}`);
}
const after = nll();
console.log(`test NLL ${before.toFixed(3)} → ${after.toFixed(3)} nats`);
test.dispose();
if (!(after < before)) process.exit(1);
