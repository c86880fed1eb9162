/**
 * Neural ODE parity problem (neural_ode_parity.json): the JSON holds torchdiffeq's *backprop*
 * gradients (float32) for every parameter, so we compare against them directly: DirectAdjoint to
 * 1e-3 relative, BacksolveAdjoint to 2e-3 (torchdiffeq's own adjoint-vs-backprop error is ≤ 1.3e-4).
 * The JSON has no dL/dy0 reference. Checkpointed gradients equal direct ones to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, loadReference } from '@nde/test-utils';
import { BacksolveAdjoint, DirectAdjoint, RecursiveCheckpointAdjoint, valueAndGrads, type AdjointMethod } from '../src/index.js';
import { maxRel, parityProblem, rel, torchGrad, type ParityRef } from './helpers/problems.js';

describeBackends('neural ODE parity vs torchdiffeq backprop', () => {
  const grads = async (adjoint: AdjointMethod): Promise<{ loss: number; params: Record<string, tf.Tensor>; dispose(): void }> => {
    const p = parityProblem();
    const r = valueAndGrads({ loss: (ys) => tf.sum(ys), solveOptions: p.options, params: p.mlp, adjoint });
    const loss = (await r.value.data())[0] as number;
    const params = Object.fromEntries(Object.entries(r.grads.params).map(([k, v]) => [k, v.clone()]));
    r.dispose();
    p.dispose();
    return { loss, params, dispose: () => Object.values(params).forEach((t) => t.dispose()) };
  };

  for (const [name, make, tol] of [
    ['DirectAdjoint', () => new DirectAdjoint(), 1e-3],
    ['BacksolveAdjoint', () => new BacksolveAdjoint(), 2e-3],
  ] as const) {
    it(`${name} matches torchdiffeq backprop to ${tol} relative`, async () => {
      await expectNoLeaks(async () => {
        const ref = loadReference<ParityRef>('neural_ode_parity.json');
        const g = await grads(make());
        const errs: Record<string, number> = {};
        for (const [k, v] of Object.entries(g.params)) errs[k] = rel(await v.data(), torchGrad(ref, k));
        console.log(`[parity] ${name} loss ${g.loss} (torch ${ref.counts.loss}); rel err per param`, errs);
        expect(Math.abs(g.loss - ref.counts.loss) / Math.abs(ref.counts.loss)).toBeLessThan(1e-4);
        for (const e of Object.values(errs)) expect(e).toBeLessThan(tol);
        g.dispose();
      });
    });
  }

  it('RecursiveCheckpointAdjoint equals DirectAdjoint to float32 rounding', async () => {
    const d = await grads(new DirectAdjoint());
    for (const n of [1, 2, 5]) {
      const c = await grads(new RecursiveCheckpointAdjoint({ checkpoints: n }));
      const { max } = await maxRel(c.params, d.params);
      console.log(`[parity] checkpoint(${n}) vs direct max rel err ${max}`);
      expect(max).toBeLessThan(1e-5);
      c.dispose();
    }
    d.dispose();
  });
});
