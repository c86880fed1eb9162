import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix64 } from '@nde/linalg';
import { frechetDistance, traceSqrtProduct } from '../src/index.js';

interface Case {
  d: number;
  m: number;
  trace_sqrtm: number;
  trace_eigh: number;
  fid: number;
}
// tooling/reference/fid_trace_sqrt.json, written by tooling/reference/scripts/fid_trace_sqrt.py (scipy, float64).
const ref = JSON.parse(readFileSync(new URL('../../../tooling/reference/fid_trace_sqrt.json', import.meta.url), 'utf8')) as {
  scipy: string;
  cases: Case[];
};

/** The script's closed-form statistics (see its docstring), rebuilt here in float64. */
function stats(d: number, m: number, phase: number, ridge: number): { mean: Float64Array; covariance: Matrix64 } {
  const x = new Float64Array(m * d);
  for (let r = 0; r < m; r++) for (let c = 0; c < d; c++) x[r * d + c] = Math.sin(1.3 * r + 0.7 * c + 0.011 * r * c + phase) / (1 + c / 10);
  const s = new Float64Array(d * d);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < d; i++) {
      const v = x[r * d + i]!;
      for (let j = 0; j < d; j++) s[i * d + j] = s[i * d + j]! + v * x[r * d + j]!;
    }
  }
  for (let i = 0; i < d * d; i++) s[i] = s[i]! / m;
  for (let i = 0; i < d; i++) s[i * d + i] = s[i * d + i]! + ridge;
  return { mean: Float64Array.from({ length: d }, (_, c) => Math.cos(0.1 * c + phase)), covariance: { rows: d, cols: d, data: s } };
}

describe(`tr √(Σ₁Σ₂) and FID against scipy ${ref.scipy} (float64 sqrtm and eigvalsh)`, () => {
  for (const c of ref.cases) {
    it(`d = ${c.d}: float64 products to 1e-11, the default route (float32 products above d = 512) to 1e-6`, async () => {
      const a = stats(c.d, c.m, 0, 1e-4);
      const b = stats(c.d, c.m, 0.5, 2e-4);
      const exact = await traceSqrtProduct(a.covariance, b.covariance, { products: 'float64' });
      expect(Math.abs(exact.trace - c.trace_eigh) / c.trace_eigh).toBeLessThan(1e-11);
      expect(Math.abs(exact.trace - c.trace_sqrtm) / c.trace_sqrtm).toBeLessThan(1e-11);
      const fast = await traceSqrtProduct(a.covariance, b.covariance);
      expect(Math.abs(fast.trace - c.trace_eigh) / c.trace_eigh).toBeLessThan(c.d > 512 ? 1e-6 : 1e-11);
      const s = (x: typeof a) => ({ count: 10 * c.d, ...x });
      const { distance } = await frechetDistance(s(a), s(b), { products: 'float64' });
      expect(Math.abs(distance - c.fid) / c.fid).toBeLessThan(1e-11);
    });
  }
});
