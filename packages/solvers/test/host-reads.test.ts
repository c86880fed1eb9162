/**
 * `stats.hostReads` (issue #22): every device→host read a solve makes — the loop's own read points
 * (the y0 check, the first-step heuristic, one error ratio per attempted step, finiteness checks) and
 * the reads inside solver steps (the implicit solvers' host linear algebra), for `solve` and
 * `solveAsync` alike.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { ConstantStepSize, ESDIRK_TABLEAUS, ImplicitRK, ODETerm, PIDController, solve, solveAsync } from '@nde/solvers';

const decay = new ODETerm((_t: number, y: tf.Tensor) => tf.neg(y));

describeBackends('host reads', () => {
  it('dopri5, adaptive: one error ratio per attempted step plus 3 (the y0 check and two first-step reads), sync = async', async () => {
    await expectNoLeaks(async () => {
      const y0 = tf.tensor1d([1, 2]);
      const opts = { terms: decay, solver: 'dopri5', t0: 0, t1: 2, y0, stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8 }) };
      const a = solve(opts);
      const b = await solveAsync(opts);
      expect(a.stats.hostReads).toBe(a.stats.steps + 3);
      expect(b.stats.hostReads).toBe(a.stats.hostReads);
      a.dispose();
      b.dispose();
      y0.dispose();
    });
  });

  it('constant steps: one finiteness read per step (plus the y0 check); none per step with checkFinite: false', async () => {
    await expectNoLeaks(() => {
      const y0 = tf.tensor1d([1, 2]);
      const base = { terms: decay, solver: 'rk4', t0: 0, t1: 1, dt0: 0.1, y0, stepSizeController: new ConstantStepSize() };
      const checked = solve(base);
      const unchecked = solve({ ...base, checkFinite: false });
      expect(checked.stats.hostReads).toBe(checked.stats.steps + 1);
      expect(unchecked.stats.hostReads).toBeLessThanOrEqual(1);
      checked.dispose();
      unchecked.dispose();
      y0.dispose();
    });
  });

  it("kvaerno5: the host path reads inside its steps; linearAlgebra: 'device' reads nothing there (same count as dopri5's formula)", async () => {
    await expectNoLeaks(() => {
      const y0 = tf.tensor1d([1, 2]);
      const run = (linearAlgebra: 'host' | 'device') =>
        solve({
          terms: decay,
          solver: new ImplicitRK(ESDIRK_TABLEAUS.kvaerno5, { linearAlgebra }),
          t0: 0,
          t1: 1,
          y0,
          stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-7 }),
        });
      const host = run('host');
      const device = run('device');
      console.log(
        `[host reads] kvaerno5 host path ${host.stats.hostReads} in ${host.stats.steps} steps; device path ${device.stats.hostReads} in ${device.stats.steps}`,
      );
      expect(host.stats.hostReads).toBeGreaterThan(host.stats.steps + 3);
      expect(device.stats.hostReads).toBe(device.stats.steps + 3);
      host.dispose();
      device.dispose();
      y0.dispose();
    });
  });
});
