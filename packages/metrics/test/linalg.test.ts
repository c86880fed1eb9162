import { describe, expect, it } from 'vitest';
import { eigh, matmul64, toMatrix64, transpose64 } from '@nde/linalg';
import { cholesky, congruenceLower, sqrtmNewtonSchulz, sqrtmPsd, traceSqrtProduct } from '../src/index.js';
import { spd } from './helpers.js';

describe('matrix square roots', () => {
  it('sqrtmPsd residual is small on ill-conditioned covariances (cond 1e12)', () => {
    for (const cond of [1e2, 1e8, 1e12]) {
      const { residual } = sqrtmPsd(spd(40, cond, 11));
      expect(residual).toBeLessThan(1e-13);
    }
  });

  it('sqrtmPsd clamps round-off negatives on a singular PSD matrix and rejects indefinite ones', () => {
    const v = [1, 2, 3];
    const rank1 = v.map((a) => v.map((b) => a * b));
    expect(sqrtmPsd(rank1).residual).toBeLessThan(1e-14);
    expect(() =>
      sqrtmPsd([
        [1, 0],
        [0, -1],
      ]),
    ).toThrow(/not positive semi-definite/);
  });

  it('Newton–Schulz converges with an error check on a well-conditioned product, and refuses when it cannot', () => {
    const A = matmul64(toMatrix64(spd(10, 10, 1)), toMatrix64(spd(10, 10, 2)));
    const { residual } = sqrtmNewtonSchulz(A);
    expect(residual).toBeLessThan(1e-10);
    expect(() => sqrtmNewtonSchulz(spd(10, 1e14, 3), { maxIterations: 5 })).toThrow(/Newton–Schulz/);
  });

  it('tr √(AB) matches the eigenvector route and handles a singular A', async () => {
    const A = spd(30, 1e6, 4);
    const B = spd(30, 1e4, 5);
    const viaChol = await traceSqrtProduct(A, B, { products: 'float64' });
    expect(viaChol.route).toBe('cholesky');
    const S = sqrtmPsd(A).sqrt;
    const M = matmul64(matmul64(S, toMatrix64(B)), S);
    const ref = eigh(M, { vectors: false }).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
    expect(viaChol.trace).toBeCloseTo(ref, 10);
    const viaTf = await traceSqrtProduct(A, B, { products: 'tfjs' });
    expect(Math.abs(viaTf.trace - ref) / ref).toBeLessThan(1e-4);
    const sing = [
      [1, 1],
      [1, 1],
    ];
    const r = await traceSqrtProduct(sing, [
      [1, 0],
      [0, 1],
    ]);
    expect(r.route).toBe('eigh');
    expect(r.trace).toBeCloseTo(Math.sqrt(2), 12); // eig(AB) = {2, 0}
  });

  it('cholesky and congruence agree with dense products', () => {
    const A = spd(12, 1e3, 6);
    const L = cholesky(A)!;
    const LLt = matmul64(L, transpose64(L));
    LLt.data.forEach((v, i) => expect(v).toBeCloseTo(toMatrix64(A).data[i]!, 12));
    const B = toMatrix64(spd(12, 10, 7));
    const M = congruenceLower(L, B);
    const ref = matmul64(matmul64(transpose64(L), B), L);
    M.data.forEach((v, i) => expect(v).toBeCloseTo(ref.data[i]!, 12));
    expect(
      cholesky([
        [1, 2],
        [2, 1],
      ]),
    ).toBeUndefined();
  });
});
