/**
 * Empirical order of convergence of every explicit RK method, fixed steps.
 *
 * Problems: (a) y' = y cos t, y(0) = 1 → exp(sin t) on [0, 2]; (b) the oscillator x'' = −16x,
 * x(0) = 1, x'(0) = 0 on [0, 2] (error: Euclidean norm of (x − cos 4t, (v + 4 sin 4t)/4)).
 * Step counts were chosen per method (by measuring the full error curve) so the global error
 * stays above float32 rounding (≳ 2e-6, state ~1) and inside the asymptotic regime; the
 * least-squares slope of log(err) vs log(h) must be within ±0.3 of the theoretical order.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { convergenceOrder, describeBackends, expectNoLeaks } from '@nde/test-utils';
import { ConstantStepSize, ODETerm, solve, TABLEAUS, type TableauName } from '@nde/solvers';

const T = 2;
const W = 4;

interface Problem {
  term: ODETerm<tf.Tensor>;
  y0: number[];
  error: (y: Float32Array) => number;
}

const expSin: Problem = {
  term: new ODETerm((t: number, y: tf.Tensor) => tf.mul(y, Math.cos(t))),
  y0: [1],
  error: (y) => Math.abs((y[0] as number) - Math.exp(Math.sin(T))),
};

const oscillator: Problem = {
  term: new ODETerm((_t: number, y: tf.Tensor) => {
    const [x, v] = tf.split(y, 2);
    return tf.concat([v as tf.Tensor, tf.mul(x as tf.Tensor, -W * W)]);
  }),
  y0: [1, 0],
  error: (y) => Math.hypot((y[0] as number) - Math.cos(W * T), ((y[1] as number) + W * Math.sin(W * T)) / W),
};

const CASES: Record<TableauName, { problem: Problem; steps: number[] }> = {
  euler: { problem: expSin, steps: [16, 32, 64, 128] },
  midpoint: { problem: oscillator, steps: [64, 128, 256] },
  heun: { problem: oscillator, steps: [64, 128, 256] },
  ralston: { problem: oscillator, steps: [64, 128, 256] },
  rk4: { problem: oscillator, steps: [16, 32, 64] },
  rk38: { problem: oscillator, steps: [16, 32, 64] },
  bosh3: { problem: oscillator, steps: [32, 64, 128, 256] },
  dopri5: { problem: oscillator, steps: [12, 16, 20, 24] },
  tsit5: { problem: expSin, steps: [2, 4, 8] },
  dopri8: { problem: expSin, steps: [1, 2, 3] },
};

async function finalError({ term, y0, error }: Problem, method: TableauName, n: number): Promise<number> {
  const y = tf.tensor1d(y0);
  const sol = solve({ terms: term, solver: method, t0: 0, t1: T, y0: y, dt0: T / n, stepSizeController: new ConstantStepSize() });
  const out = error((await (sol.ys as tf.Tensor).data()) as Float32Array);
  expect(sol.stats.accepted).toBe(n);
  sol.dispose();
  y.dispose();
  return out;
}

describeBackends('convergence order of fixed-step methods', () => {
  for (const name of Object.keys(CASES) as TableauName[]) {
    it(`${name} converges with order ${TABLEAUS[name].order} ± 0.3`, async () => {
      const { problem, steps } = CASES[name];
      const errs: number[] = [];
      await expectNoLeaks(async () => {
        for (const n of steps) errs.push(await finalError(problem, name, n));
      });
      const order = convergenceOrder(
        steps.map((n) => T / n),
        errs,
      );
      console.log(`${name}: errors ${errs.map((e) => e.toExponential(2)).join(', ')} → order ${order.toFixed(2)}`);
      expect(Math.abs(order - TABLEAUS[name].order)).toBeLessThan(0.3);
    });
  }
});
