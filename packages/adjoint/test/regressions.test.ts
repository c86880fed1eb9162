/** Issue #15 in the adjoint package: t0 == t1, events through valueAndGrads, and errors that named the wrong thing. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, thrownError } from '@nde/test-utils';
import { InvalidArgumentError, UnsupportedError, type NdeError } from '@nde/core';
import { ODETerm, PIDController, solve, type SolveOptions } from '@nde/solvers';
import {
  BacksolveAdjoint,
  DirectAdjoint,
  RecursiveCheckpointAdjoint,
  ReversibleAdjoint,
  StochasticAdjoint,
  valueAndGrads,
  type AdjointMethod,
} from '../src/index.js';

const read = (x: tf.Tensor): number[] => Array.from(x.dataSync());

const thrown = (fn: () => unknown): NdeError => thrownError(fn);

describeBackends('#15 adjoint regressions', () => {
  const adjoints: [string, () => AdjointMethod][] = [
    ['direct', () => new DirectAdjoint()],
    ['checkpoint', () => new RecursiveCheckpointAdjoint({ checkpoints: 4 })],
    ['backsolve', () => new BacksolveAdjoint()],
  ];
  for (const [name, make] of adjoints) {
    it(`valueAndGrads with t0 == t1 (${name}): the loss of y0, dL/dy0 = 2 y0`, async () => {
      const w = tf.variable(tf.scalar(0.7));
      const y0 = tf.tensor1d([1, -2]);
      await expectNoLeaks(() => {
        const r = valueAndGrads({
          loss: (ys) => tf.sum(tf.square(ys as tf.Tensor)),
          solveOptions: { terms: new ODETerm((_t: number, y: tf.Tensor) => tf.mul(w, y)), solver: 'dopri5', t0: 2, t1: 2, y0 },
          adjoint: make(),
          params: [w],
        });
        expect(read(r.value)[0]).toBeCloseTo(5, 5);
        expect(read(r.grads.y0 as tf.Tensor)).toEqual([2, -4]);
        r.dispose();
      });
      y0.dispose();
      w.dispose();
    });
  }

  it('valueAndGrads (DirectAdjoint) through a terminal event: the state at the event does not move with y0', async () => {
    const a = tf.variable(tf.scalar(1.3));
    const y0 = tf.tensor1d([0.5]);
    const solveOptions: SolveOptions<tf.Tensor> = {
      terms: new ODETerm((_t: number, y: tf.Tensor) => tf.mul(a, y)),
      solver: 'dopri5',
      t0: 0,
      t1: 5,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
      event: { fn: (_t, y: tf.Tensor) => tf.sub(tf.sum(y), 2) },
    };
    await expectNoLeaks(() => {
      const onState = valueAndGrads({ loss: (ys) => tf.sum(ys as tf.Tensor), solveOptions, params: [a], timeGrads: false });
      expect(read(onState.value)[0]).toBeCloseTo(2, 5);
      expect(Math.abs(read(onState.grads.y0 as tf.Tensor)[0] as number)).toBeLessThan(1e-4);
      onState.dispose();
      const onTime = valueAndGrads({ loss: (_ys, sol) => tf.sum(sol.eventTime as tf.Tensor), solveOptions, params: [a], timeGrads: false });
      const tStar = Math.log(2 / 0.5) / 1.3;
      expect(read(onTime.value)[0]).toBeCloseTo(tStar, 5);
      expect(read(onTime.grads.y0 as tf.Tensor)[0] as number).toBeCloseTo(-1 / (1.3 * 0.5), 3);
      expect(read(onTime.grads.variables[0]!.tensor)[0] as number).toBeCloseTo(-tStar / 1.3, 3);
      onTime.dispose();
    });
    y0.dispose();
    a.dispose();
  });

  const misnamed: [string, () => AdjointMethod, string, RegExp, RegExp][] = [
    [
      'ReversibleAdjoint with dopri5 names the solver (not an unknown method)',
      () => new ReversibleAdjoint(),
      'solver',
      /needs the reversible Heun solver \(got 'dopri5'\).*reversible_heun/,
      /unknown method/,
    ],
    [
      'StochasticAdjoint with ODE terms says it is for SDEs and points to BacksolveAdjoint',
      () => new StochasticAdjoint(),
      'terms',
      /BacksolveAdjoint/,
      /sdeType/,
    ],
  ];
  for (const [title, make, argument, says, doesNotSay] of misnamed) {
    it(title, async () => {
      const y0 = tf.ones([2]);
      await expectNoLeaks(() => {
        const e = thrown(() =>
          valueAndGrads({
            loss: (ys) => tf.sum(ys as tf.Tensor),
            solveOptions: { terms: new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y)), solver: 'dopri5', t0: 0, t1: 1, y0 },
            adjoint: make(),
            params: [],
          }),
        );
        expect(e).toBeInstanceOf(UnsupportedError);
        expect(e.argument).toBe(argument);
        expect(e.message).toMatch(says);
        expect(e.message).not.toMatch(doesNotSay);
      });
      y0.dispose();
    });
  }

  for (const [name, make] of adjoints) {
    it(`a non-scalar loss is a named error and leaks nothing (${name})`, async () => {
      const w = tf.variable(tf.scalar(-0.4));
      const y0 = tf.ones([3]);
      await expectNoLeaks(() => {
        const e = thrown(() =>
          valueAndGrads({
            loss: (ys) => tf.mul(ys as tf.Tensor, 2),
            solveOptions: {
              terms: new ODETerm((_t: number, y: tf.Tensor) => tf.mul(w, y)),
              solver: 'dopri5',
              t0: 0,
              t1: 1,
              y0,
              saveAt: { ts: [0.5, 1] },
            },
            adjoint: make(),
            params: [w],
          }),
        );
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect(e.argument).toBe('loss');
      });
      y0.dispose();
      w.dispose();
    });
  }

  // The adjoint op replays the solve in its backward pass; tensors the caller created inside the
  // recorded function (a context passed through args, y0 from an encoder) are disposed by then.
  it.each(['checkpoint', 'backsolve'] as const)(
    '%s: args and y0 made (and disposed) inside tf.variableGrads still give the direct gradients, no leak',
    async (which) => {
      await expectNoLeaks(() => {
        const w = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -0.3]), true));
        const x = tf.tensor1d([1, 2]);
        const term = new ODETerm((_t, y: tf.Tensor, a: { ctx: tf.Tensor }) => tf.mul(tf.tanh(tf.add(y, a.ctx)), -1));
        const run = (adjoint: AdjointMethod) =>
          tf.variableGrads(() =>
            tf.tidy(() => {
              const ctx = tf.mul(x, w);
              const y0 = tf.add(x, w);
              const r = solve({
                terms: term,
                solver: 'dopri5',
                t0: 0,
                t1: 1,
                y0,
                args: { ctx },
                stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8 }),
                adjoint,
              });
              return tf.sum(tf.square(r.ys as tf.Tensor)) as tf.Scalar;
            }),
          );
        const direct = run(new DirectAdjoint());
        const other = run(which === 'checkpoint' ? new RecursiveCheckpointAdjoint({ checkpoints: 3 }) : new BacksolveAdjoint());
        const a = Object.values(direct.grads)[0]!.dataSync();
        const b = Object.values(other.grads)[0]!.dataSync();
        a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(v))));
        tf.dispose([direct.value, other.value, ...Object.values(direct.grads), ...Object.values(other.grads), x]);
        w.dispose();
      });
    },
  );
});
