import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toMatrix64 } from '@nde/linalg';
import { frechetDistance, sqrtmPsd, traceSqrtProduct } from '../src/index.js';

interface Case {
  d: number;
  condition: number;
  mu1: number[];
  mu2: number[];
  sigma1: number[][];
  sigma2: number[][];
  traceSqrtProduct: number;
  fid: number;
  sqrtSigma1: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/sqrtm-scipy.json', import.meta.url), 'utf8')) as {
  scipy: string;
  cases: Case[];
};

describe(`cross-check against scipy.linalg.sqrtm (scipy ${fixture.scipy}, float64)`, () => {
  for (const c of fixture.cases) {
    it(`d = ${c.d}, condition ${c.condition.toExponential(0)}: tr √(Σ₁Σ₂), FID and √Σ₁ agree`, async () => {
      // Σ₁Σ₂ has condition ≈ condition²: scipy's Schur sqrtm of the product loses ~ε·condition; we allow that much.
      const tol = Math.max(1e-9, 2.2e-16 * c.condition ** 2 * 1e-7);
      const { trace } = await traceSqrtProduct(c.sigma1, c.sigma2, { products: 'float64' });
      expect(Math.abs(trace - c.traceSqrtProduct) / c.traceSqrtProduct).toBeLessThan(tol);
      const stats = (mu: number[], s: number[][]) => ({ count: 100_000, mean: Float64Array.from(mu), covariance: toMatrix64(s) });
      const { distance } = await frechetDistance(stats(c.mu1, c.sigma1), stats(c.mu2, c.sigma2), { products: 'float64' });
      expect(Math.abs(distance - c.fid) / c.fid).toBeLessThan(tol);
      const { sqrt } = sqrtmPsd(c.sigma1);
      const ref = toMatrix64(c.sqrtSigma1);
      let err = 0;
      let big = 0;
      sqrt.data.forEach((v, i) => {
        err = Math.max(err, Math.abs(v - ref.data[i]!));
        big = Math.max(big, Math.abs(ref.data[i]!));
      });
      expect(err / big).toBeLessThan(1e-8);
    });
  }
});
