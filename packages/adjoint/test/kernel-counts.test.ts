/**
 * Backward-pass kernel counts are deterministic too: these bounds fail CI when differentiating a solve
 * starts dispatching more kernels per step (issue #17; ~3 µs each on wasm). The vector field is one Neg
 * kernel forward and one backward, so the kernels that are not Neg are what the solver and the adjoint
 * add. 20 fixed steps, gradient of sum(y(1)) with respect to y0, on cpu and wasm (fused kernels).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import { ConstantStepSize, ODETerm, solve } from '@nde/solvers';
import { BacksolveAdjoint, DirectAdjoint, RecursiveCheckpointAdjoint, ReversibleAdjoint } from '../src/index.js';
import type { AdjointMethod } from '@nde/solvers';

const STEPS = 20;
const field = new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y));

async function backwardKernelsPerStep(solver: string, adjoint: AdjointMethod): Promise<number> {
  const y0 = tf.randomNormal([256, 2], 0, 1, 'float32', 0);
  const info = await tf.profile(() => {
    const g = tf.grad((y: tf.Tensor) => {
      const sol = solve({
        terms: field,
        solver,
        t0: 0,
        t1: 1,
        y0: y,
        dt0: 1 / STEPS,
        stepSizeController: new ConstantStepSize(),
        checkFinite: false,
        saveAt: { t1: true },
        adjoint,
      });
      return tf.sum(sol.ys as tf.Tensor) as tf.Scalar;
    })(y0);
    g.dispose();
  });
  y0.dispose();
  return info.kernels.filter((k) => k.name !== 'Neg').length / STEPS;
}

describeBackends('kernels per step of a differentiated solve (forward + backward)', () => {
  it('backprop (DirectAdjoint) through dopri5: at most 62 per step (measured 60.6: 7.5 forward, the rest the stages’ gradients)', async () => {
    expect(await backwardKernelsPerStep('dopri5', new DirectAdjoint())).toBeLessThanOrEqual(62);
  });
  it('backprop through rk4: at most 28 per step (measured 26.6)', async () => {
    expect(await backwardKernelsPerStep('rk4', new DirectAdjoint())).toBeLessThanOrEqual(28);
  });
  it('RecursiveCheckpointAdjoint (4 segments) through dopri5: at most 74 per step (measured 72.9: one forward keeping its checkpoints, the replay and its backward; 78.5 when the forward ran twice)', async () => {
    expect(await backwardKernelsPerStep('dopri5', new RecursiveCheckpointAdjoint({ checkpoints: 4 }))).toBeLessThanOrEqual(74);
  });
  it('BacksolveAdjoint through dopri5: at most 60 per step (measured 57.9, the backward steps counted in; 70.0 when each augmented evaluation split the whole packed state twice)', async () => {
    expect(await backwardKernelsPerStep('dopri5', new BacksolveAdjoint())).toBeLessThanOrEqual(60);
  });
  it('ReversibleAdjoint through reversible Heun (the ODE as an SDE with zero diffusion): at most 72 per step (measured 69.0; 151.0 when the whole step was recorded on the tape)', async () => {
    expect(await backwardKernelsPerStep('reversible_heun', new ReversibleAdjoint())).toBeLessThanOrEqual(72);
  });
});
