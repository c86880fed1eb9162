/**
 * Kernel counts are deterministic: these bounds fail CI when the solver loop starts dispatching more kernels
 * per step (issue #17; every wasm kernel costs ~3 µs of dispatch). The vector field here is one Neg kernel,
 * so `kernels − nfe` is what the solver itself adds. (The suite runs on cpu and wasm, which have the
 * fused kernels; webgl/webgpu use ops.)
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import { setFusedKernels } from '@nde/core';
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
  // On cpu and wasm each stage's linear combination and the error norm are one fused kernel each.
  it('dopri5 fixed steps: at most 8 solver kernels per step (measured 7.5; 33.5 as separate ops)', async () => {
    expect(await solverKernelsPerStep(fixed)).toBeLessThanOrEqual(8);
  });
  it('rk4 fixed steps: at most 5 (measured 4.5; 11.5 as separate ops)', async () => {
    expect(await solverKernelsPerStep({ ...fixed, solver: 'rk4' })).toBeLessThanOrEqual(5);
  });
  it('dopri5 adaptive (error norm, accept/reject, first step): at most 15 per step over a 2-step solve (measured 14; 59.5 as ops)', async () => {
    expect(await solverKernelsPerStep({ stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }) })).toBeLessThanOrEqual(15);
  });
  it('dopri5 adaptive over 8 steps (rtol 1e-7): at most 10 per step, half the issue’s target of 20 (8 once the first step is paid)', async () => {
    expect(await solverKernelsPerStep({ stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }) })).toBeLessThanOrEqual(10);
  });
  it('with the fused kernels off: the op-by-op counts (33.5 per fixed dopri5 step)', async () => {
    setFusedKernels(false);
    try {
      expect(await solverKernelsPerStep(fixed)).toBeLessThanOrEqual(34);
    } finally {
      setFusedKernels(true);
    }
  });
});
