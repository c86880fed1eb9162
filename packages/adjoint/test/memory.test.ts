/**
 * Peak memory vs number of steps. The peak of tf.memory().numBytes is sampled at every vector-field
 * evaluation (forward and backward). 10x the steps: DirectAdjoint's peak grows (the tape keeps every
 * stage), BacksolveAdjoint's and ReversibleAdjoint's do not (within 10%).
 */
import * as tf from '@tensorflow/tfjs';
import { MLP } from '@nde/core';
import { expect, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import { ConstantStepSize, ODETerm, type SolveOptions } from '@nde/solvers';
import {
  BacksolveAdjoint,
  DirectAdjoint,
  RecursiveCheckpointAdjoint,
  ReversibleAdjoint,
  valueAndGrads,
  type AdjointMethod,
} from '../src/index.js';

export function peakBytes(adjoint: AdjointMethod, steps: number, solver = 'rk4'): number {
  const mlp = new MLP({ sizes: [2, 64, 2], activation: 'tanh', seed: 5 });
  const y0 = tf.randomNormal([256, 2], 0, 1, 'float32', 3);
  let peak = 0;
  const options: SolveOptions<tf.Tensor> = {
    terms: new ODETerm((_t: number, y: tf.Tensor) => {
      peak = Math.max(peak, tf.memory().numBytes);
      return mlp.apply(y);
    }),
    solver,
    t0: 0,
    t1: 1,
    y0,
    dt0: 1 / steps,
    stepSizeController: new ConstantStepSize(),
    checkFinite: false,
  };
  const base = tf.memory().numBytes;
  const r = valueAndGrads({ loss: (ys) => tf.sum(ys), solveOptions: options, params: mlp, adjoint });
  r.dispose();
  mlp.dispose();
  y0.dispose();
  return peak - base;
}

describeBackends('peak memory vs number of steps', () => {
  it('Backsolve and Reversible stay flat when steps grow 10x; Direct grows', () => {
    const rows: Record<string, [number, number]> = {};
    for (const [name, make, solver] of [
      ['direct', () => new DirectAdjoint(), 'rk4'],
      ['checkpoint(4)', () => new RecursiveCheckpointAdjoint({ checkpoints: 4 }), 'rk4'],
      ['backsolve', () => new BacksolveAdjoint(), 'rk4'],
      ['reversible', () => new ReversibleAdjoint(), 'reversible_heun'],
    ] as const) {
      rows[name] = [peakBytes(make(), 20, solver), peakBytes(make(), 200, solver)];
    }
    console.log('[memory] peak bytes above baseline (20 steps, 200 steps):', rows);
    const [d20, d200] = rows.direct as [number, number];
    expect(d200 / d20).toBeGreaterThan(3);
    for (const k of ['backsolve', 'reversible']) {
      const [a, b] = rows[k] as [number, number];
      expect(b / a).toBeLessThan(1.1);
    }
  });
});
