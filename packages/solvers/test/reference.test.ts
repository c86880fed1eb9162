/**
 * dopri5 against torchdiffeq 0.2.5 on the same problems and tolerances (tooling/reference):
 * NFE within ±10% of torchdiffeq's, error against the float64 reference no worse than 2× torchdiffeq's
 * float32 error; and the neural-ODE parity problem (same weights, same 256 initial states).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, loadReference, parityMlp } from '@nde/test-utils';
import { ODETerm, PIDController, solve } from '@nde/solvers';

interface ClassicRow {
  problem: string;
  method: string;
  dtype: string;
  rtol?: number;
  atol?: number;
  nfe: number;
  max_abs_err: number;
  reference?: number[];
}

const split2 = (y: tf.Tensor): [tf.Tensor, tf.Tensor] => tf.split(y, 2) as [tf.Tensor, tf.Tensor];

/** Problem definitions (identified from the reference end states: VdP y0 = [2, 0]; LV α=1.5, β=1, γ=3, δ=1). */
const PROBLEMS: Record<string, { f: (t: number, y: tf.Tensor) => tf.Tensor; y0: number[]; t1: number; exact?: number[] }> = {
  exp_decay: { f: (_t, y) => tf.neg(y), y0: [1], t1: 5, exact: [Math.exp(-5)] },
  van_der_pol_mu1: {
    f: (_t, y) => {
      const [x, v] = split2(y);
      return tf.concat([v, tf.sub(tf.mul(tf.sub(1, tf.square(x)), v), x)]);
    },
    y0: [2, 0],
    t1: 10,
  },
  lotka_volterra: {
    f: (_t, y) => {
      const [x, v] = split2(y);
      const xy = tf.mul(x, v);
      return tf.concat([tf.sub(tf.mul(1.5, x), xy), tf.add(tf.mul(-3, v), xy)]);
    },
    y0: [1, 1],
    t1: 10,
  },
};

// torchdiffeq ran float32 at rtol 1e-3 and float64 at rtol 1e-6: we compare with both (we are float32).
const classic = loadReference<{ ode_classic: ClassicRow[] }>('ode_classic.json').ode_classic.filter(
  (r) => r.method === 'dopri5' && (r.dtype === 'float32' || r.rtol === 1e-6),
);
/** Below this, differences are float32 rounding over a few hundred steps (|y| ≤ ~3), not method error. */
const FLOAT32_FLOOR = 5e-6;

describeBackends('dopri5 vs torchdiffeq on the classic problems', () => {
  for (const row of classic) {
    it(`${row.problem} rtol=${row.rtol} (torchdiffeq ${row.dtype}): NFE within 10% of ${row.nfe}, error ≤ 2× ${row.max_abs_err.toExponential(2)}`, async () => {
      const p = PROBLEMS[row.problem];
      if (!p) throw new Error(`unknown problem ${row.problem}`);
      const y0 = tf.tensor1d(p.y0);
      const before = tf.memory().numTensors;
      const sol = solve({
        terms: new ODETerm(p.f),
        solver: 'dopri5',
        t0: 0,
        t1: p.t1,
        y0,
        stepSizeController: new PIDController({ rtol: row.rtol ?? 0, atol: row.atol ?? 0 }),
      });
      const y = Array.from(await (sol.ys as tf.Tensor).data());
      const ref = (row.reference ?? p.exact) as number[];
      const err = Math.max(...y.map((v, i) => Math.abs(v - (ref[i] as number))));
      console.log(
        `${row.problem} rtol=${row.rtol}: nfe ${sol.stats.nfe} (torchdiffeq ${row.nfe}), err ${err.toExponential(2)} (torchdiffeq ${row.dtype} ${row.max_abs_err.toExponential(2)})`,
      );
      expect(Math.abs(sol.stats.nfe - row.nfe) / row.nfe).toBeLessThanOrEqual(0.1);
      expect(err).toBeLessThanOrEqual(Math.max(2 * row.max_abs_err, FLOAT32_FLOOR));
      sol.dispose();
      expect(tf.memory().numTensors).toBe(before);
      y0.dispose();
    });
  }
});

describeBackends('neural ODE parity with torchdiffeq', () => {
  it('MLP 2-50-2, 256 states, dopri5 rtol 1e-3 atol 1e-4: NFE 14 and y(1) within 1e-4 of float64', async () => {
    const { mlp, y0: makeY0, reference, nfeForward } = parityMlp();
    const y0 = makeY0();
    const before = tf.memory().numTensors;
    const sol = solve({
      terms: new ODETerm((_t: number, y: tf.Tensor) => mlp.apply(y)),
      solver: 'dopri5',
      t0: 0,
      t1: 1,
      y0,
      stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-4 }),
    });
    const yT = await (sol.ys as tf.Tensor).data();
    const maxErr = Math.max(...reference.map((v, i) => Math.abs(v - (yT[i] as number))));
    console.log(`parity: nfe ${sol.stats.nfe}, max |y - y_f64| = ${maxErr.toExponential(2)}`);
    expect(sol.stats.nfe).toBe(nfeForward);
    expect(maxErr).toBeLessThan(1e-4);
    sol.dispose();
    expect(tf.memory().numTensors).toBe(before);
    y0.dispose();
    mlp.dispose();
  });
});
