/**
 * Kernel counts are deterministic: these bounds fail CI when the solver loop starts dispatching more kernels
 * per step (issue #17; every wasm kernel costs ~3 µs of dispatch). The vector field here is one Neg kernel,
 * so `kernels − nfe` is what the solver itself adds.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import { ConstantStepSize, ODETerm, PIDController, solve, type SolveOptions } from '@nde/solvers';

const field = new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y));

async function solverKernelsPerStep(options: Partial<SolveOptions<tf.Tensor>>): Promise<number> {
  const y0 = tf.randomNormal([256, 2], 0, 1, 'float32', 0);
  let steps = 0;
  let nfe = 0;
  const info = await tf.profile(() => {
    const sol = solve({ terms: field, solver: 'dopri5', t0: 0, t1: 1, y0, ...options } as SolveOptions<tf.Tensor>);
    steps = sol.stats.steps;
    nfe = sol.stats.nfe;
    sol.dispose();
  });
  y0.dispose();
  return (info.kernels.length - nfe) / steps;
}

describeBackends('solver kernels per step', () => {
  const fixed = { dt0: 0.1, stepSizeController: new ConstantStepSize(), checkFinite: false };
  it('dopri5 fixed steps: at most 34 solver kernels per step (measured 33.5)', async () => {
    expect(await solverKernelsPerStep(fixed)).toBeLessThanOrEqual(34);
  });
  it('rk4 fixed steps: at most 12 (measured 11.5)', async () => {
    expect(await solverKernelsPerStep({ ...fixed, solver: 'rk4' })).toBeLessThanOrEqual(12);
  });
  it('dopri5 adaptive (error norm, accept/reject, first step): at most 64 per step over a short solve (measured 59.5)', async () => {
    expect(await solverKernelsPerStep({ stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }) })).toBeLessThanOrEqual(64);
  });
});
