/** Terminal events located by root-finding on the dense output. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { ODETerm, PIDController, solve } from '@nde/solvers';

const G = 9.81;
/** Falling ball: [height, velocity]; from h = 10 at rest it hits the ground at √(2·10/g). */
const ball = new ODETerm((_t: number, y: tf.Tensor) => tf.concat([y.slice([1], [1]), tf.fill([1], -G)]));
const height = (_t: number, y: tf.Tensor): tf.Tensor => y.slice([0], [1]).sum();

describeBackends('events', () => {
  for (const method of ['dopri5', 'tsit5', 'dopri8', 'bosh3']) {
    it(`${method}: the ball hits the ground at √(20/g) to 1e-5 (rtol 1e-6)`, async () => {
      const y0 = tf.tensor1d([10, 0]);
      await expectNoLeaks(async () => {
        const sol = solve({
          terms: ball,
          solver: method,
          t0: 0,
          t1: 5,
          y0,
          stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8 }),
          event: { fn: height, direction: -1 },
        });
        expect(sol.status).toBe('eventOccurred');
        expect(sol.event?.index).toBe(0);
        expect(Math.abs((sol.event?.t as number) - Math.sqrt(20 / G))).toBeLessThan(1e-5);
        expect(sol.ts).toEqual([sol.event?.t]);
        const [h] = await (sol.ys as tf.Tensor).data();
        expect(Math.abs(h as number)).toBeLessThan(1e-4);
        sol.dispose();
      });
      y0.dispose();
    });
  }

  it('exp decay crosses 0.5 at ln 2; the earliest of several events wins; direction filters', async () => {
    const y0 = tf.ones([1]);
    const term = new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y));
    const sol = solve({
      terms: term,
      solver: 'tsit5',
      t0: 0,
      t1: 3,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-9 }),
      saveAt: { ts: [0.5, 1, 2] },
      event: [
        { fn: (_t, y) => tf.sub(y, 0.25).sum() },
        { fn: (_t, y) => tf.sub(y, 0.5).sum() },
        { fn: (_t, y) => tf.sub(y, 0.75).sum(), direction: 1 }, // upward only: never fires
      ],
    });
    expect(sol.event?.index).toBe(1);
    expect(Math.abs((sol.event?.t as number) - Math.LN2)).toBeLessThan(1e-5);
    // saveAt.ts before the event are kept, later ones are not.
    expect(sol.ts).toEqual([0.5]);
    sol.dispose();
    // An event function returning a plain number works too (time-based event).
    const timed = solve({ terms: term, solver: 'rk4', t0: 0, t1: 1, y0, dt0: 0.1, event: { fn: (t) => t - 0.55 } });
    expect(Math.abs((timed.event?.t as number) - 0.55)).toBeLessThan(1e-9);
    expect((timed.ys as tf.Tensor).dataSync()[0]).toBeCloseTo(Math.exp(-0.55), 4);
    timed.dispose();
    y0.dispose();
  });
});
