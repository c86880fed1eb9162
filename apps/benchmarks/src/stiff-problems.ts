/**
 * The classic stiff problems of tooling/reference/stiff_problems.json (Robertson, Van der Pol μ = 1000, HIRES) as
 * vector fields, for `pnpm bench stiff`. The same fields as packages/solvers/test/helpers/stiff.ts: that helper
 * imports @nde/test-utils (vitest), which a Node script cannot load, so the three fields are copied here, nothing
 * else. The Python peer imports its fields from tooling/reference/scripts/stiff_problems.py itself.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ODETerm } from '@nde/solvers';

const col = (y: tf.Tensor, i: number): tf.Tensor => tf.squeeze(tf.slice(y, [i], [1]));

/** Robertson's chemical kinetics (3 species). */
export const robertson = new ODETerm((_t: number, y: tf.Tensor) => {
  const [a, b, c] = [0, 1, 2].map((i) => col(y, i)) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const bc = tf.mul(tf.mul(b, c), 1e4);
  const bb = tf.mul(tf.square(b), 3e7);
  return tf.stack([tf.add(tf.mul(a, -0.04), bc), tf.sub(tf.sub(tf.mul(a, 0.04), bc), bb), bb]);
});

/** Van der Pol in the unscaled form y1' = y2, y2' = μ (1 − y1²) y2 − y1. */
export const vanDerPol = (mu: number): ODETerm<tf.Tensor> =>
  new ODETerm((_t: number, y: tf.Tensor) => {
    const [a, b] = [col(y, 0), col(y, 1)];
    return tf.stack([b, tf.sub(tf.mul(tf.mul(tf.sub(1, tf.square(a)), b), mu), a)]);
  });

/** HIRES (8 species, Schäfer 1975). */
export const hires = new ODETerm((_t: number, y: tf.Tensor) => {
  const v = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => col(y, i));
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

/** What the bench reads of one problem in stiff_problems.json. */
export interface StiffReferenceProblem {
  y0: number[];
  t_span: [number, number];
  /** scipy Radau at rtol 1e-11: the final state errors are measured against. */
  reference: { final_state: number[]; rtol: number; atol: number };
  /** scipy's BDF / Radau / LSODA at rtol 1e-6, with their tolerances. */
  runs: { method: string; rtol: number; atol: number }[];
}

/** The three problems: key in stiff_problems.json, our field, and the tolerances of the reference script's rtol 1e-6 runs. */
export const STIFF_PROBLEMS = [
  { key: 'robertson', label: 'Robertson [0, 1e5]', term: robertson },
  { key: 'van_der_pol_mu1000', label: 'Van der Pol μ=1000 [0, 3000]', term: vanDerPol(1000) },
  { key: 'hires', label: 'HIRES [0, 321.8122]', term: hires },
] as const;

/** Problem `key` of tooling/reference/stiff_problems.json (vendored in the repository). */
export function stiffReference(key: string): StiffReferenceProblem {
  const url = new URL('../../../tooling/reference/stiff_problems.json', import.meta.url);
  const doc = JSON.parse(readFileSync(url, 'utf8')) as { problems: Record<string, StiffReferenceProblem> };
  const p = doc.problems[key];
  if (!p) throw new Error(`stiff_problems.json has no problem '${key}'`);
  return p;
}

/** Largest componentwise |a − b| / |b| (the JSON's max_rel_err). */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++)
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), 1e-300));
  return m;
}
