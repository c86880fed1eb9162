import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { mulberry32, ShapeError } from '@nde/core';
import { describeBackends } from '@nde/test-utils';
import { eigh, identity64, matmul64, toArray2d, toMatrix64, transpose64, type Matrix64 } from '../src/index.js';

describeBackends('float64 linear algebra', () => {
  it('eigh: [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, ∓1)/√2', () => {
    const { values, vectors } = eigh([
      [2, 1],
      [1, 2],
    ]);
    expect(Array.from(values).sort((a, b) => a - b)).toEqual([expect.closeTo(1, 14), expect.closeTo(3, 14)]);
    const V = vectors as Matrix64;
    for (let k = 0; k < 2; k++) {
      const [a, b] = [V.data[2 * k] as number, V.data[2 * k + 1] as number];
      expect(Math.abs(a)).toBeCloseTo(Math.SQRT1_2, 14);
      expect(Math.abs(b)).toBeCloseTo(Math.SQRT1_2, 14);
    }
  });

  it('eigh reconstructs a seeded random symmetric 30×30 matrix to 1e-12 (A = V Λ Vᵀ), from a tensor too', () => {
    const rand = mulberry32(7);
    const n = 30;
    const a = Array.from({ length: n }, () => Array.from({ length: n }, () => rand() - 0.5));
    const A = toMatrix64(a);
    const S = matmul64(A, transpose64(A)); // symmetric PSD
    const { values, vectors } = eigh(S);
    const V = transpose64(vectors as Matrix64); // eigenvectors as columns
    const L = identity64(n);
    for (let i = 0; i < n; i++) L.data[i * n + i] = values[i] as number;
    const back = matmul64(matmul64(V, L), transpose64(V));
    let err = 0;
    for (let i = 0; i < n * n; i++) err = Math.max(err, Math.abs((back.data[i] as number) - (S.data[i] as number)));
    expect(err).toBeLessThan(1e-12);
    const t = tf.tensor2d(toArray2d(S).map((r) => r.map(Math.fround)));
    expect(eigh(t, { vectors: false }).values.length).toBe(n);
    t.dispose();
    expect(() => toMatrix64([[1, 2], [3]])).toThrow(ShapeError);
  });
});
