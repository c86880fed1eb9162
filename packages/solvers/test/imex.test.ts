/**
 * IMEX (KenCarp3/4/5, Kennedy & Carpenter) on a `MultiTerm`: convergence order on a smooth split
 * problem (harmonic oscillator, one half explicit, one implicit), a stiff split problem with a closed
 * Van der Pol μ = 1000 split into a non-stiff explicit and a stiff implicit part (against scipy
 * Radau), the explicit part evaluated once per stage (never inside Newton), and named errors for
 * mismatched terms.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { convergenceOrder, describeBackends, expectNoLeaks, thrownError } from '@nde/test-utils';
import { InvalidArgumentError } from '@nde/core';
import { ConstantStepSize, IMEX_TABLEAUS, MultiTerm, ODETerm, PIDController, solve } from '@nde/solvers';
import { maxRel, stiffReference } from './helpers/stiff.js';

const col = (y: tf.Tensor, i: number): tf.Tensor => tf.squeeze(tf.slice(y, [i], [1]));

describeBackends('IMEX (KenCarp)', () => {
  for (const [method, steps] of [
    ['kencarp3', [20, 40, 80, 160]],
    ['kencarp4', [20, 40, 80, 160]],
    ['kencarp5', [15, 20, 30, 40]],
  ] as const) {
    it(`${method}: convergence order ${IMEX_TABLEAUS[method].order} ± 0.3 on x′ = v (explicit), v′ = −x (implicit)`, async () => {
      await expectNoLeaks(() => {
        const terms = new MultiTerm(
          new ODETerm((_t, y: tf.Tensor) => tf.stack([col(y, 1), tf.scalar(0)])),
          new ODETerm((_t, y: tf.Tensor) => tf.stack([tf.scalar(0), tf.neg(col(y, 0))])),
        );
        const y0 = tf.tensor1d([1, 0]);
        const T = 10;
        const errs = steps.map((n) => {
          const sol = solve({ terms, solver: method, t0: 0, t1: T, y0, dt0: T / n, stepSizeController: new ConstantStepSize() });
          const y = (sol.ys as tf.Tensor).dataSync();
          sol.dispose();
          return Math.max(Math.abs(y[0]! - Math.cos(T)), Math.abs(y[1]! + Math.sin(T)));
        });
        const slope = convergenceOrder(
          steps.map((n) => T / n),
          errs,
        );
        console.log(`[imex] ${method} errors ${errs.map((e) => e.toExponential(2)).join(' ')} slope ${slope.toFixed(2)}`);
        expect(Math.abs(slope - IMEX_TABLEAUS[method].order)).toBeLessThan(0.3);
        y0.dispose();
      });
    });
  }

  it('Van der Pol μ = 1000 split (x′ = v explicit, v′ = μ(1 − x²)v − x implicit) at rtol 1e-6: within 1e-2 of scipy Radau; explicit part once per stage', async () => {
    await expectNoLeaks(() => {
      const ref = stiffReference().problems.van_der_pol_mu1000!;
      let explicitCalls = 0;
      let implicitCalls = 0;
      const terms = new MultiTerm(
        new ODETerm((_t: number, y: tf.Tensor) => {
          explicitCalls++;
          return tf.stack([col(y, 1), tf.scalar(0)]);
        }),
        new ODETerm((_t: number, y: tf.Tensor) => {
          implicitCalls++;
          return tf.stack([tf.scalar(0), tf.sub(tf.mul(tf.mul(tf.sub(1, tf.square(col(y, 0))), col(y, 1)), 1000), col(y, 0))]);
        }),
      );
      const y0 = tf.tensor1d(ref.y0);
      for (const method of Object.keys(IMEX_TABLEAUS)) {
        explicitCalls = 0;
        implicitCalls = 0;
        const sol = solve({
          terms,
          solver: method,
          t0: 0,
          t1: 3000,
          y0,
          stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-6 }),
          maxSteps: 50000,
        });
        const err = maxRel(Array.from((sol.ys as tf.Tensor).dataSync()), ref.reference.final_state);
        const stages = IMEX_TABLEAUS[method as keyof typeof IMEX_TABLEAUS].c.length;
        console.log(
          `[imex] ${method} Van der Pol: rel err ${err.toExponential(2)}, stats ${JSON.stringify(sol.stats)}, explicit ${explicitCalls} / implicit ${implicitCalls} calls`,
        );
        expect(sol.status).toBe('success');
        expect(err).toBeLessThan(1e-2);
        // Once per stage of every attempted step, plus the first-step heuristic's two; never inside Newton.
        expect(explicitCalls).toBeLessThanOrEqual(sol.stats.steps * stages + 2);
        expect(implicitCalls).toBeGreaterThan(explicitCalls);
        sol.dispose();
      }
      y0.dispose();
    });
  });

  it('an IMEX method with a single ODETerm, or an ESDIRK one with a MultiTerm, is a named error', () => {
    const y0 = tf.tensor1d([1]);
    const term = new ODETerm((_t, y: tf.Tensor) => tf.neg(y));
    const a = thrownError(() => solve({ terms: term, solver: 'kencarp3', t0: 0, t1: 1, y0, dt0: 0.1 }));
    expect(a).toBeInstanceOf(InvalidArgumentError);
    expect((a as InvalidArgumentError).argument).toBe('terms');
    expect((a as InvalidArgumentError).message).toMatch(/MultiTerm/);
    const b = thrownError(() => solve({ terms: new MultiTerm(term, term), solver: 'kvaerno3', t0: 0, t1: 1, y0, dt0: 0.1 }));
    expect(b).toBeInstanceOf(InvalidArgumentError);
    expect((b as InvalidArgumentError).message).toMatch(/kencarp/);
    expect(thrownError(() => new MultiTerm(term, (() => 0) as unknown as ODETerm<tf.Tensor>))).toBeInstanceOf(InvalidArgumentError);
    y0.dispose();
  });
});
