// A latent SDE (Li et al. 2020) fitted to irregularly observed Ornstein–Uhlenbeck paths by maximising the
// ELBO with KL annealing; prints the ELBO before and after.
// Run: node latent-sde.mjs   (in this repository: pnpm example latent-sde)
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@nde/core';
import { LatentSDE, klAnnealing, ouProcess } from '@nde/latent-models';
import { Adam } from '@nde/nn';

await useBackend('wasm');
const steps = Number(process.env.NDE_EXAMPLE_STEPS ?? 100);
const { batch } = ouProcess({ n: 16, nTimes: 20, seed: 0 });
const model = new LatentSDE({ dataDim: 1, latentDim: 4, hidden: 32, obsScale: 0.05, dt: 0.1, seed: 0 });
const opt = new Adam({ learningRate: 1e-2, clipNorm: 5 });
const kl = klAnnealing({ warmup: 50 });
const elbo = () => {
  const e = model.elbo(batch, { seed: 99, nSamples: 2 });
  const value = e.elbo.dataSync()[0];
  tf.dispose([e.loss, e.elbo, e.logLik, e.kl0, e.klPath]);
  return value;
};
const before = elbo();
for (let i = 0; i < steps; i++) {
  const { loss } = opt.step(() => model.elbo(batch, { klWeight: kl(i), seed: i }).loss, model);
  if (i % 25 === 0) console.log(`step ${i}  loss ${loss.toFixed(3)}`);
}
const after = elbo();
console.log(`ELBO ${before.toFixed(2)} → ${after.toFixed(2)} nats per sequence`);
if (!(after > before)) process.exit(1);
