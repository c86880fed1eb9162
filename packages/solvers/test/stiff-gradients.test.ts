/**
 * Gradients through the implicit (Kværnø) steps by the implicit function theorem: against closed
 * forms (y′ = λy with λ a variable, and with λ in `args`), against central finite differences on a
 * stiff Van der Pol oscillator (μ = 10, dL/dμ and dL/dy0), and against backpropagation through an
 * explicit solver (dopri5 at tight tolerance) on a nonlinear field; IMEX steps against a closed form
 * and, split, on the same Van der Pol oscillator.
 * BDF is differentiated through its difference history (the corrector by the implicit function
 * theorem), ROS34PW2 with its matrix W held fixed; both face the same checks.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { MultiTerm, ODETerm, PIDController, solve, type Solution } from '@nde/solvers';

const tight = (): PIDController => new PIDController({ rtol: 1e-7, atol: 1e-9 });
// A third-order method needs many more steps at 1e-7; 1e-6 keeps the finite-difference checks meaningful.
const tightFor = (method: string): PIDController => (method === 'ros34pw2' ? new PIDController({ rtol: 1e-6, atol: 1e-8 }) : tight());
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describeBackends('gradients through implicit steps (implicit function theorem)', () => {
  it('y′ = λy: dL/dy0 = e^λ and dL/dλ = Σy0 e^λ, λ a variable and λ in args, kvaerno3/4/5, bdf (through its history), ros34pw2 (W fixed), no leaks', async () => {
    await expectNoLeaks(() => {
      for (const method of ['kvaerno3', 'kvaerno4', 'kvaerno5', 'bdf', 'ros34pw2']) {
        const lam = tf.tidy(() => tf.variable(tf.scalar(-3), true, `lam_${method}`));
        const y0 = tf.tensor1d([1, 2]);
        const term = new ODETerm((_t, y: tf.Tensor) => tf.mul(y, lam));
        const { value, grads } = tf.variableGrads(() => {
          const sol = solve({ terms: term, solver: method, t0: 0, t1: 1, y0, stepSizeController: tight() });
          const loss = tf.sum(sol.ys as tf.Tensor) as tf.Scalar;
          return loss;
        });
        const g = (grads[lam.name] as tf.Tensor).dataSync()[0]!;
        expect(rel(g, 3 * Math.exp(-3))).toBeLessThan(1e-4);
        expect(rel(value.dataSync()[0]!, 3 * Math.exp(-3))).toBeLessThan(1e-5);
        tf.dispose([value, ...Object.values(grads), y0]);
        lam.dispose();

        // λ in args, differentiated with tf.grads alongside y0.
        const argTerm = new ODETerm((_t, y: tf.Tensor, a: { lam: tf.Tensor }) => tf.mul(y, a.lam));
        const inputs = [tf.tensor1d([1, 2]), tf.scalar(-3)];
        const [gy0, glam] = tf.grads((y: tf.Tensor, l: tf.Tensor) => {
          const sol = solve({ terms: argTerm, solver: method, t0: 0, t1: 1, y0: y, args: { lam: l }, stepSizeController: tight() });
          return tf.sum(sol.ys as tf.Tensor);
        })(inputs);
        tf.dispose(inputs);
        for (const v of gy0!.dataSync()) expect(rel(v, Math.exp(-3))).toBeLessThan(1e-4);
        expect(rel(glam!.dataSync()[0]!, 3 * Math.exp(-3))).toBeLessThan(1e-4);
        tf.dispose([gy0!, glam!]);
      }
    });
  });

  it.each(['kvaerno3', 'kvaerno4', 'kvaerno5', 'kencarp3', 'kencarp4', 'kencarp5', 'bdf', 'ros34pw2'])(
    'stiff Van der Pol (μ = 10, t ∈ [0, 1]), %s: dL/dμ and dL/dy0 within 1e-2 of central finite differences (IMEX: x′ = v explicit)',
    async (method) => {
      await expectNoLeaks(() => {
        const mu = tf.tidy(() => tf.variable(tf.scalar(10), true, 'mu_vdp'));
        const term = new ODETerm((_t, y: tf.Tensor) => {
          const a = tf.squeeze(tf.slice(y, [0], [1]));
          const b = tf.squeeze(tf.slice(y, [1], [1]));
          return tf.stack([b, tf.sub(tf.mul(tf.mul(tf.sub(1, tf.square(a)), b), mu), a)]);
        });
        // IMEX: x′ = v explicit, v′ = μ(1 − x²)v − x implicit.
        const split = new MultiTerm(
          new ODETerm((_t, y: tf.Tensor) => tf.stack([tf.squeeze(tf.slice(y, [1], [1])), tf.scalar(0)])),
          new ODETerm((_t, y: tf.Tensor) => {
            const a = tf.squeeze(tf.slice(y, [0], [1]));
            const b = tf.squeeze(tf.slice(y, [1], [1]));
            return tf.stack([tf.scalar(0), tf.sub(tf.mul(tf.mul(tf.sub(1, tf.square(a)), b), mu), a)]);
          }),
        );
        const terms = method.startsWith('kencarp') ? split : term;
        const lossOf = (sol: Solution): tf.Scalar => {
          const y = tf.squeeze(sol.ys as tf.Tensor, [0]);
          return tf.add(tf.slice(y, [0], [1]), tf.mul(tf.slice(y, [1], [1]), 0.1)).sum() as tf.Scalar;
        };
        const run = (y0: tf.Tensor): tf.Scalar =>
          lossOf(solve({ terms, solver: method, t0: 0, t1: 1, y0, stepSizeController: tightFor(method) }));
        const y0 = tf.tensor1d([2, 0]);
        const { value, grads } = tf.variableGrads(() => run(y0), [mu]);
        value.dispose();
        const [gy0] = tf.grads((y: tf.Tensor) => run(y))([y0]);
        const at = (m: number, y: number[]): number =>
          tf.tidy(() => {
            mu.assign(tf.scalar(m));
            return run(tf.tensor1d(y)).dataSync()[0]!;
          });
        const d = 1e-2;
        const fdMu = (at(10 + d, [2, 0]) - at(10 - d, [2, 0])) / (2 * d);
        const fdY = [0, 1].map((i) => {
          const p = [2, 0];
          const m = [2, 0];
          p[i]! += d;
          m[i]! -= d;
          return (at(10, p) - at(10, m)) / (2 * d);
        });
        tf.tidy(() => mu.assign(tf.scalar(10)));
        const gMu = (grads.mu_vdp as tf.Tensor).dataSync()[0]!;
        console.log(`[ift ${method}] dL/dμ ${gMu} (fd ${fdMu}); dL/dy0 ${Array.from(gy0!.dataSync())} (fd ${fdY})`);
        expect(rel(gMu, fdMu)).toBeLessThan(1e-2);
        Array.from(gy0!.dataSync()).forEach((g, i) => expect(Math.abs(g - fdY[i]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(fdY[i]!))));
        tf.dispose([...Object.values(grads), gy0!, y0]);
        mu.dispose();
      });
    },
  );

  it.each(['kvaerno5', 'bdf', 'ros34pw2'])(
    '%s equals backpropagation through dopri5 (rtol 1e-8) on a nonlinear field, for two weights',
    async (method) => {
      await expectNoLeaks(() => {
        const w = tf.tidy(() =>
          tf.variable(
            tf.tensor2d([
              [-1.5, 0.7],
              [-0.4, -2.1],
            ]),
            true,
            'w_ift',
          ),
        );
        const b = tf.tidy(() => tf.variable(tf.tensor1d([0.3, -0.2]), true, 'b_ift'));
        const term = new ODETerm((_t, y: tf.Tensor) => tf.tanh(tf.add(tf.matMul(y, w), b)));
        const y0 = tf.tensor2d([
          [0.5, -1],
          [1, 0.25],
        ]);
        const gradsOf = (method: string, rtol: number) =>
          tf.variableGrads(() => {
            const sol = solve({
              terms: term,
              solver: method,
              t0: 0,
              t1: 2,
              y0,
              stepSizeController: new PIDController({ rtol, atol: rtol * 1e-2 }),
            });
            return tf.sum(tf.square(sol.ys as tf.Tensor)) as tf.Scalar;
          }, [w, b]);
        const implicit = gradsOf(method, method === 'ros34pw2' ? 1e-6 : 1e-7);
        const explicit = gradsOf('dopri5', 1e-8);
        for (const name of ['w_ift', 'b_ift']) {
          const a = implicit.grads[name]!.dataSync();
          const e = explicit.grads[name]!.dataSync();
          const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - e[i]!) / Math.max(1, Math.abs(e[i]!))));
          console.log(`[ift ${method}] ${name}: largest difference from dopri5 backprop ${worst.toExponential(2)}`);
          expect(worst).toBeLessThan(1e-3);
        }
        tf.dispose([implicit.value, explicit.value, ...Object.values(implicit.grads), ...Object.values(explicit.grads), y0]);
        w.dispose();
        b.dispose();
      });
    },
  );

  it('IMEX (kencarp3/4/5): y′ = a·y (explicit) + b·y (implicit): dL/da = dL/db = Σy0 e^{a+b} and dL/dy0 = e^{a+b}', async () => {
    await expectNoLeaks(() => {
      for (const method of ['kencarp3', 'kencarp4', 'kencarp5']) {
        const a = tf.tidy(() => tf.variable(tf.scalar(-0.5), true));
        const b = tf.tidy(() => tf.variable(tf.scalar(-20), true));
        const terms = new MultiTerm(new ODETerm((_t, y: tf.Tensor) => tf.mul(y, a)), new ODETerm((_t, y: tf.Tensor) => tf.mul(y, b)));
        const y0 = tf.tensor1d([1, 2]);
        const T = 0.1;
        const e = Math.exp((-0.5 - 20) * T);
        const { value, grads } = tf.variableGrads(() => {
          const sol = solve({ terms, solver: method, t0: 0, t1: T, y0, stepSizeController: tight() });
          return tf.sum(sol.ys as tf.Tensor) as tf.Scalar;
        }, [a, b]);
        const [gy0] = tf.grads((y: tf.Tensor) =>
          tf.sum(solve({ terms, solver: method, t0: 0, t1: T, y0: y, stepSizeController: tight() }).ys as tf.Tensor),
        )([y0]);
        for (const v of [a, b]) expect(rel(grads[v.name]!.dataSync()[0]!, 3 * T * e)).toBeLessThan(1e-3);
        for (const v of gy0!.dataSync()) expect(rel(v, e)).toBeLessThan(1e-4);
        tf.dispose([value, ...Object.values(grads), gy0!, y0]);
        a.dispose();
        b.dispose();
      }
    });
  });
});
