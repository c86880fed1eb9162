/** Ground-truth 2-D problems for the neural-ODE demos (browser-safe). */
import * as tf from '@tensorflow/tfjs';
import { ODETerm, PIDController, solveAsync } from '@nde/solvers';
import type { Features, Trajectory } from './neural-ode.js';

/** A 2-D ODE whose trajectory the neural ODE learns. */
export interface Problem {
  name: string;
  label: string;
  /** Features the learned vector field uses. */
  features: Features;
  y0: [number, number];
  t1: number;
  /** Plot window [lo, hi]² . */
  box: [number, number];
  vf(y: tf.Tensor): tf.Tensor;
}

/** torchdiffeq's ode_demo: dy/dt = y³ A, A = [[-0.1, 2], [-2, -0.1]] — a cubic spiral. */
export const spiral: Problem = {
  name: 'spiral',
  label: 'Cubic spiral (torchdiffeq ode_demo)',
  features: 'cube',
  y0: [2, 0],
  t1: 25,
  box: [-2.2, 2.2],
  vf: (y) =>
    tf.tidy(() =>
      tf.matMul(
        tf.pow(y, 3) as tf.Tensor2D,
        tf.tensor2d([
          [-0.1, 2.0],
          [-2.0, -0.1],
        ]),
      ),
    ),
};

/** A damped linear spiral dy/dt = A y. */
export const linearSpiral: Problem = {
  name: 'linear-spiral',
  label: 'Damped linear spiral',
  features: 'identity',
  y0: [2, 0],
  t1: 10,
  box: [-2.2, 2.2],
  vf: (y) =>
    tf.tidy(() =>
      tf.matMul(
        y as tf.Tensor2D,
        tf.tensor2d([
          [-0.15, -1.0],
          [1.0, -0.15],
        ]),
      ),
    ),
};

/** Van der Pol oscillator (μ = 1): a limit cycle. */
export const vanDerPol: Problem = {
  name: 'van-der-pol',
  label: 'Van der Pol limit cycle',
  features: 'identity',
  y0: [0.5, 0],
  t1: 12,
  box: [-3, 3],
  vf: (y) =>
    tf.tidy(() => {
      const [x, v] = tf.split(y, 2, 1) as [tf.Tensor, tf.Tensor];
      return tf.concat([v, tf.sub(tf.mul(tf.sub(1, tf.square(x)), v), x)], 1);
    }),
};

export const PROBLEMS: Problem[] = [spiral, linearSpiral, vanDerPol];

/** Solve the true dynamics with dopri5 at `n` equally spaced times on [0, t1]. */
export async function groundTruth(p: Problem, n: number): Promise<Trajectory> {
  const ts = Array.from({ length: n }, (_, i) => (p.t1 * i) / (n - 1));
  const y0 = tf.tensor2d([p.y0], [1, 2]);
  const sol = await solveAsync({
    terms: new ODETerm((_t: number, y: tf.Tensor) => p.vf(y)),
    solver: 'dopri5',
    t0: 0,
    t1: p.t1,
    y0,
    saveAt: { ts },
    stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8 }),
  });
  const ys = (await (sol.ys as tf.Tensor).data()) as Float32Array;
  const out = { ts, ys: new Float32Array(ys) };
  sol.dispose();
  y0.dispose();
  return out;
}
