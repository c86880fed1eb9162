/**
 * Issue #17 (4): the latent SDE's posterior solve can be differentiated by a checkpointed adjoint,
 * which keeps one segment's tape alive at a time, and the encoder GRU's gradient can be checkpointed
 * too. The encoder's contexts reach the solve as `args`, so its gradients flow: every parameter's
 * gradient equals plain backprop to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { RecursiveCheckpointAdjoint } from '@nde/adjoint';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { LatentSDE, disposeBatch } from '../src/index.js';
import { tinyBatch } from './helpers.js';

function gradients(model: LatentSDE, loss: () => tf.Scalar): { value: number; grads: Record<string, Float32Array> } {
  const { value, grads } = tf.variableGrads(loss, model.parameters());
  const out: Record<string, Float32Array> = {};
  const names = Object.entries(model.namedParameters());
  for (const [name, v] of names) {
    const g = grads[v.name];
    out[name] = g ? (g.dataSync() as Float32Array) : new Float32Array(v.size);
  }
  const scalar = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return { value: scalar, grads: out };
}

describeBackends('latent SDE with a checkpointed adjoint', () => {
  for (const stl of [false, true]) {
    it(`gives backprop's loss and gradients for every parameter (${stl ? 'STL' : 'standard'} estimator)`, async () => {
      const model = new LatentSDE({
        dataDim: 2,
        latentDim: 2,
        contextDim: 3,
        encoderHidden: 4,
        hidden: 6,
        diffusionHidden: 3,
        dt: 0.05,
        seed: 3,
      });
      const batch = tinyBatch(3, 6, 2);
      const adjoint = new RecursiveCheckpointAdjoint({ checkpoints: 4 });
      const direct = gradients(model, () => model.elbo(batch, { seed: 7, stl, nSamples: 2 }).loss);
      const checkpointed = gradients(model, () => model.elbo(batch, { seed: 7, stl, nSamples: 2, adjoint, encoderCheckpoints: 2 }).loss);
      expect(checkpointed.value).toBeCloseTo(direct.value, 4);
      let worst = 0;
      let scale = 0;
      for (const [name, g] of Object.entries(direct.grads)) {
        const h = checkpointed.grads[name] as Float32Array;
        g.forEach((x, i) => {
          worst = Math.max(worst, Math.abs(x - (h[i] as number)));
          scale = Math.max(scale, Math.abs(x));
        });
      }
      expect(scale).toBeGreaterThan(1e-2); // the gradients are not trivially zero
      expect(worst).toBeLessThan(2e-4 * scale);
      // The encoder's parameters get gradients only through the contexts passed as args.
      const enc =
        checkpointed.grads['encoderCell.wx'] ?? Object.entries(checkpointed.grads).find(([n]) => n.startsWith('encoderCell'))?.[1];
      expect(Math.max(...Array.from(enc as Float32Array, Math.abs))).toBeGreaterThan(0);
      await expectNoLeaks(() => {
        gradients(model, () => model.elbo(batch, { seed: 8, stl, adjoint, encoderCheckpoints: 3 }).loss);
      });
      disposeBatch(batch);
      model.dispose();
    });
  }
});
