/**
 * The one backward walk: the backsolve adjoint carries the backward controller's step size and
 * error history across saved times instead of choosing a first step afresh at each (torchdiffeq's
 * behaviour, kept behind `carryControllerState: false`). On the parity network saved at 21 times
 * both give torchdiffeq-accurate gradients; carrying costs fewer vector-field evaluations.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { ODETerm } from '@nde/solvers';
import { BacksolveAdjoint, DirectAdjoint, valueAndGrads, type AdjointMethod } from '../src/index.js';
import { maxRel, parityProblem } from './helpers/problems.js';

describeBackends('backsolve: one backward walk', () => {
  const run = async (adjoint: AdjointMethod): Promise<{ calls: number; params: Record<string, tf.Tensor>; dispose(): void }> => {
    const p = parityProblem();
    let calls = 0;
    const counted = new ODETerm((_t: number, y: tf.Tensor) => {
      calls++;
      return p.mlp.apply(y);
    });
    const ts = Array.from({ length: 21 }, (_, i) => i / 20);
    const r = valueAndGrads({
      loss: (ys) => tf.sum(tf.square(ys)),
      solveOptions: { ...p.options, terms: counted, saveAt: { ts } },
      params: p.mlp,
      adjoint,
    });
    const params = Object.fromEntries(Object.entries(r.grads.params).map(([k, v]) => [k, v.clone()]));
    r.dispose();
    p.dispose();
    return { calls, params, dispose: () => Object.values(params).forEach((t) => t.dispose()) };
  };

  it('carrying the controller state across 20 intervals saves evaluations; gradients stay within 2e-3 of direct', async () => {
    await expectNoLeaks(async () => {
      const direct = await run(new DirectAdjoint());
      const carried = await run(new BacksolveAdjoint());
      const restarted = await run(new BacksolveAdjoint({ carryControllerState: false }));
      const interpolated = await run(new BacksolveAdjoint({ reconstruct: 'interpolate' }));
      const errInterpolated = (await maxRel(interpolated.params, direct.params)).max;
      expect(errInterpolated).toBeLessThan(2e-3);
      const errCarried = (await maxRel(carried.params, direct.params)).max;
      const errRestarted = (await maxRel(restarted.params, direct.params)).max;
      console.log(
        `[walk] vf calls (forward + backward): carried ${carried.calls}, restarted ${restarted.calls}, saved ${restarted.calls - carried.calls}; rel err vs direct ${errCarried.toExponential(2)} / ${errRestarted.toExponential(2)}`,
      );
      expect(carried.calls).toBeLessThan(restarted.calls);
      expect(errCarried).toBeLessThan(2e-3);
      expect(errRestarted).toBeLessThan(2e-3);
      [direct, carried, restarted, interpolated].forEach((g) => g.dispose());
    });
  });
});
