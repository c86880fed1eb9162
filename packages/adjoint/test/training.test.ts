/**
 * Training: 1000 optimizer steps (cycling through every adjoint) with a constant number of live
 * tensors; valueAndGradsAsync never calls dataSync() and gives the same gradients as the sync path.
 */
import * as tf from '@tensorflow/tfjs';
import { MLP } from '@nde/core';
import { expect, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import { ConstantStepSize, ODETerm, PIDController, type SolveOptions } from '@nde/solvers';
import {
  BacksolveAdjoint,
  DirectAdjoint,
  RecursiveCheckpointAdjoint,
  ReversibleAdjoint,
  valueAndGrads,
  valueAndGradsAsync,
  type AdjointMethod,
} from '../src/index.js';
import { countingDataSync, maxRel, parityProblem } from './helpers/problems.js';

describeBackends('training', () => {
  it('1000 Adam steps across all adjoints: numTensors constant, loss decreases', async () => {
    const mlp = new MLP({ sizes: [2, 8, 2], activation: 'tanh', seed: 9 });
    const y0 = tf.randomNormal([16, 2], 0, 1, 'float32', 1);
    const target = tf.tidy(() => tf.mul(y0, 0.5));
    const opt = tf.train.adam(1e-2);
    const adjoints: [AdjointMethod, string][] = [
      [new DirectAdjoint(), 'rk4'],
      [new RecursiveCheckpointAdjoint({ checkpoints: 2 }), 'rk4'],
      [new BacksolveAdjoint(), 'rk4'],
      [new ReversibleAdjoint(), 'reversible_heun'],
    ];
    const step = (i: number): number => {
      const [adjoint, solver] = adjoints[i % adjoints.length] as [AdjointMethod, string];
      const solveOptions: SolveOptions<tf.Tensor> = {
        terms: new ODETerm((_t: number, y: tf.Tensor) => mlp.apply(y)),
        solver,
        t0: 0,
        t1: 1,
        y0,
        dt0: 0.25,
        stepSizeController: new ConstantStepSize(),
        checkFinite: false,
      };
      const r = valueAndGrads({ loss: (ys) => tf.mean(tf.square(tf.sub(ys, target))), solveOptions, params: mlp, adjoint });
      opt.applyGradients(r.grads.variables);
      const v = r.value.dataSync()[0] as number;
      r.dispose();
      return v;
    };
    const first = step(0);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 1; i < 1000; i++) {
      last = step(i);
      if (i === 1 || i % 250 === 0) expect(tf.memory().numTensors).toBe(before);
    }
    console.log(`[train] loss ${first} → ${last}; numTensors ${before} → ${tf.memory().numTensors}`);
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    opt.dispose();
    mlp.dispose();
    y0.dispose();
    target.dispose();
  });

  it('valueAndGradsAsync: no dataSync, same gradients as valueAndGrads (adaptive dopri5)', async () => {
    for (const make of [
      () => new DirectAdjoint(),
      () => new BacksolveAdjoint({ rtol: undefined }),
      () => new RecursiveCheckpointAdjoint({ checkpoints: 2 }),
    ]) {
      const p = parityProblem();
      const opts = { loss: (ys: tf.Tensor) => tf.sum(ys), solveOptions: p.options as SolveOptions<tf.Tensor>, params: p.mlp };
      const sync = valueAndGrads({ ...opts, adjoint: make() });
      const before = tf.memory().numTensors;
      const { result: r, calls } = await countingDataSync(() => valueAndGradsAsync({ ...opts, adjoint: make() }));
      expect(calls).toBe(0);
      const { max } = await maxRel(r.grads.params, sync.grads.params);
      console.log(`[async] ${make().name}: dataSync calls ${calls}, max rel err vs sync ${max}`);
      expect(max).toBeLessThan(make().name === 'backsolve' ? 2e-3 : 1e-5);
      r.dispose();
      expect(tf.memory().numTensors).toBe(before);
      sync.dispose();
      p.dispose();
    }
  });
});
void PIDController;
