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

  it('eigh: A V = V Λ and VᵀV = I on a seeded 60×60 SPD matrix of condition 1e10; values-only agrees', () => {
    // A = Q diag(λ) Qᵀ with λ log-spaced from 1 down to 1e-10 and Q orthogonal (Gram–Schmidt of seeded rows).
    const n = 60;
    const rand = mulberry32(3);
    const q: number[][] = [];
    for (let i = 0; i < n; i++) {
      let v = Array.from({ length: n }, () => rand() - 0.5);
      for (const u of q) {
        const dot = v.reduce((s, x, k) => s + x * (u[k] as number), 0);
        v = v.map((x, k) => x - dot * (u[k] as number));
      }
      const norm = Math.hypot(...v);
      q.push(v.map((x) => x / norm));
    }
    const lambda = Array.from({ length: n }, (_, i) => Math.pow(1e10, -i / (n - 1)));
    const A = toMatrix64(
      Array.from({ length: n }, (_, a) =>
        Array.from({ length: n }, (_, b) => q.reduce((s, u, i) => s + (lambda[i] as number) * (u[a] as number) * (u[b] as number), 0)),
      ),
    );
    const { values, vectors } = eigh(A);
    const V = transpose64(vectors as Matrix64); // columns are eigenvectors
    const AV = matmul64(A, V);
    const VtV = matmul64(vectors as Matrix64, V);
    let residual = 0;
    let orthogonality = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        residual = Math.max(residual, Math.abs((AV.data[k * n + i] as number) - (values[i] as number) * (V.data[k * n + i] as number)));
        orthogonality = Math.max(orthogonality, Math.abs((VtV.data[i * n + k] as number) - (i === k ? 1 : 0)));
      }
    }
    expect(residual).toBeLessThan(1e-14);
    expect(orthogonality).toBeLessThan(1e-13);
    expect(Math.abs((values[0] as number) - 1e-10)).toBeLessThan(1e-15);
    eigh(A, { vectors: false }).values.forEach((v, i) => expect(v).toBeCloseTo(values[i] as number, 14));
  });
});
