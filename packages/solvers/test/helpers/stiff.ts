/** The stiff test problems of tooling/reference/stiff_problems.json (scipy Radau/BDF reference and work counts). */
import * as tf from '@tensorflow/tfjs';
import { loadReference } from '@nde/test-utils';
import { ODETerm } from '@nde/solvers';
import type { Tree } from '@nde/core';

export interface StiffRun {
  method: string;
  nfev: number;
  final_state: number[];
}
export interface StiffProblem {
  y0: number[];
  t_span: [number, number];
  reference: { final_state: number[] };
  runs: StiffRun[];
  extra_final_states?: Record<string, { final_state: number[]; t_end: number }>;
}
export type StiffReference = { problems: Record<string, StiffProblem> };

export const stiffReference = (): StiffReference => loadReference<StiffReference>('stiff_problems.json');

const col = (y: tf.Tensor, i: number): tf.Tensor => tf.squeeze(tf.slice(y, [i], [1]));

export const robertson = new ODETerm((_t: number, y: tf.Tensor) => {
  const [a, b, c] = [0, 1, 2].map((i) => col(y, i)) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const bc = tf.mul(tf.mul(b, c), 1e4);
  const bb = tf.mul(tf.square(b), 3e7);
  return tf.stack([tf.add(tf.mul(a, -0.04), bc), tf.sub(tf.sub(tf.mul(a, 0.04), bc), bb), bb]);
});

/** Robertson's Jacobian by hand, for the user-Jacobian test. */
export const robertsonJacobian = (_t: number, state: Tree): tf.Tensor => {
  const y = state as tf.Tensor;
  const [, b, c] = Array.from(y.dataSync());
  return tf.tensor2d([
    [-0.04, 1e4 * c!, 1e4 * b!],
    [0.04, -1e4 * c! - 6e7 * b!, -1e4 * b!],
    [0, 6e7 * b!, 0],
  ]);
};

export const vanDerPol = (mu: number): ODETerm =>
  new ODETerm((_t, state) => {
    const y = state as tf.Tensor;
    const [a, b] = [col(y, 0), col(y, 1)];
    return tf.stack([b, tf.sub(tf.mul(tf.mul(tf.sub(1, tf.square(a)), b), mu), a)]);
  });

/** A batch of Van der Pol oscillators `[B, 2]`, each with its own μ (independent samples). */
export const vanDerPolBatch = (mus: tf.Tensor): ODETerm =>
  new ODETerm((_t, state) => {
    const y = state as tf.Tensor;
    const a = tf.slice(y, [0, 0], [-1, 1]);
    const b = tf.slice(y, [0, 1], [-1, 1]);
    return tf.concat([b, tf.sub(tf.mul(tf.mul(tf.sub(1, tf.square(a)), b), mus), a)], 1);
  });

export const hires = new ODETerm((_t: number, y: tf.Tensor) => {
  const v = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => col(y, i)) as tf.Tensor[];
  const [y1, y2, y3, y4, y5, y6, y7, y8] = v as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const lin = (...terms: [number, tf.Tensor][]): tf.Tensor => tf.addN(terms.map(([c, x]) => tf.mul(x, c)));
  const r = tf.mul(tf.mul(y6, y8), 280);
  return tf.stack([
    tf.add(lin([-1.71, y1], [0.43, y2], [8.32, y3]), 0.0007),
    lin([1.71, y1], [-8.75, y2]),
    lin([-10.03, y3], [0.43, y4], [0.035, y5]),
    lin([8.32, y2], [1.71, y3], [-1.12, y4]),
    lin([-1.745, y5], [0.43, y6], [0.43, y7]),
    tf.sub(lin([0.69, y4], [1.71, y5], [-0.43, y6], [0.69, y7]), r),
    tf.sub(r, tf.mul(y7, 1.81)),
    tf.sub(tf.mul(y7, 1.81), r),
  ]);
});

/** y1' = −2y1 + y2 + 2 sin t, y2' = 998 y1 − 999 y2 + 999 (cos t − sin t); y = 2e^{−t} + (sin t, cos t). */
export const mildlyStiff = new ODETerm((t: number, y: tf.Tensor) => {
  const [a, b] = [col(y, 0), col(y, 1)];
  return tf.stack([
    tf.add(tf.add(tf.mul(a, -2), b), 2 * Math.sin(t)),
    tf.add(tf.sub(tf.mul(a, 998), tf.mul(b, 999)), 999 * (Math.cos(t) - Math.sin(t))),
  ]);
});

/** y' = λ (y − cos t) − sin t, λ = −1e6: y = cos t. */
export const stiffScalar = new ODETerm((t: number, y: tf.Tensor) => tf.sub(tf.mul(tf.sub(y, Math.cos(t)), -1e6), Math.sin(t)));

export const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < b.length; i++)
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), 1e-300));
  return m;
};
