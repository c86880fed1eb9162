/**
 * Distribution checks for every Brownian object. Each component of a [N] motion is an independent
 * Brownian motion, so one object gives N samples. Thresholds: |z| < 4 (two-sided p ≈ 6e-5 per check);
 * KS at alpha = 0.001. Seeds are fixed, so the tests are deterministic; the thresholds say how unlikely a
 * failure would be by chance for a correct implementation. Trees use tol = 1e-3 (10 levels) to stay fast;
 * their points are then still exact in law (dyadic nodes plus the exact one-point law inside a leaf).
 */
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { corr, KINDS, ksCritical, ksStatistic, make, mean, normalCdf } from './helpers.js';

const N = 20_000;
const Z = 4;

function chiSquareZ(x: ArrayLike<number>, variance: number): number {
  // sum(x²)/variance ~ chi²_N ≈ N(N, 2N)
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) ** 2;
  return (s / variance - x.length) / Math.sqrt(2 * x.length);
}

for (const kind of KINDS) {
  describeBackends(`${kind} statistics`, () => {
    it(`increments have mean 0 and variance dt; disjoint increments are uncorrelated (N = ${N}, |z| < ${Z})`, async () => {
      await expectNoLeaks(async () => {
        const bm = make(kind, { t0: 0, t1: 2, shape: [N], key: 101, tol: 1e-3 });
        const [s, t, u] = [0.3, 0.75, 1.6];
        const a = bm.evaluate(s, t);
        const b = bm.evaluate(t, u);
        const x = await values(a);
        const y = await values(b);
        a.dispose();
        b.dispose();
        expect(Math.abs(mean(x) / Math.sqrt((t - s) / N))).toBeLessThan(Z);
        expect(Math.abs(chiSquareZ(x, t - s))).toBeLessThan(Z);
        expect(Math.abs(chiSquareZ(y, u - t))).toBeLessThan(Z);
        expect(Math.abs(corr(x, y) * Math.sqrt(N))).toBeLessThan(Z);
        // standardised increments are N(0,1): KS at alpha = 0.001
        expect(
          ksStatistic(
            x.map((v) => v / Math.sqrt(t - s)),
            normalCdf,
          ),
        ).toBeLessThan(ksCritical(N, 0.001));
      });
    });

    it('Brownian bridge midpoint W(m) | W(s), W(u) has the bridge mean and variance (KS, alpha = 0.001)', () => {
      const bm = make(kind, { t0: 0, t1: 1, shape: [N], key: 202, tol: 1e-3 });
      const [s, m, u] = [0.2, 0.47, 0.9];
      // Condition on the end points first so that BrownianPath samples m from its bridge.
      const Ws = bm.evaluateArray(0, s);
      const Wu = bm.evaluateArray(0, u);
      const Wm = bm.evaluateArray(0, m);
      const sd = Math.sqrt(((m - s) * (u - m)) / (u - s));
      const r = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        const meanBridge = (Ws[i]! * (u - m) + Wu[i]! * (m - s)) / (u - s);
        r[i] = (Wm[i]! - meanBridge) / sd;
      }
      expect(ksStatistic(r, normalCdf)).toBeLessThan(ksCritical(N, 0.001));
      // the residual is independent of the conditioning values
      expect(Math.abs(corr(r, Ws) * Math.sqrt(N))).toBeLessThan(Z);
      expect(Math.abs(corr(r, Wu) * Math.sqrt(N))).toBeLessThan(Z);
    });

    it('space-time Lévy area H has variance (u-s)/12 and is uncorrelated with W', async () => {
      await expectNoLeaks(async () => {
        const bm = make(kind, { t0: 0, t1: 1, shape: [N], key: 303, levyArea: 'space-time', tol: 1e-3 });
        const [s, u] = [0.15, 0.4];
        const inc = bm.evaluateLevy(s, u, 'space-time');
        const W = await values(inc.W);
        const H = await values(inc.H!);
        inc.W.dispose();
        inc.H!.dispose();
        expect(Math.abs(chiSquareZ(W, u - s))).toBeLessThan(Z);
        expect(Math.abs(chiSquareZ(H, (u - s) / 12))).toBeLessThan(Z);
        expect(Math.abs(mean(H) / Math.sqrt((u - s) / 12 / N))).toBeLessThan(Z);
        expect(Math.abs(corr(H, W) * Math.sqrt(N))).toBeLessThan(Z);
        // H over adjacent intervals combines into H over the union (h·H = a·H1 + b·H2 + (b·W1 - a·W2)/2)
        const t = 0.3;
        const p = bm.evaluateLevyArrays(s, t, 'space-time');
        const q = bm.evaluateLevyArrays(t, u, 'space-time');
        const [a, b] = [t - s, u - t];
        let maxErr = 0;
        for (let i = 0; i < 200; i++) {
          const h = (a * p.H![i]! + b * q.H![i]! + 0.5 * (b * p.W[i]! - a * q.W[i]!)) / (u - s);
          maxErr = Math.max(maxErr, Math.abs(h - H[i]!));
        }
        expect(maxErr).toBeLessThan(1e-5); // float32 outputs (|H| ~ 0.15)
      });
    });

    it('space-space Lévy area is antisymmetric with Var(A_ij) = h²/4 (foster and davie)', async () => {
      for (const spaceSpace of ['foster', 'davie'] as const) {
        await expectNoLeaks(async () => {
          const M = N / 2;
          const bm = make(kind, { t0: 0, t1: 1, shape: [M, 2], key: 404, levyArea: 'space-space', spaceSpace, tol: 1e-3 });
          const h = 0.5;
          const inc = bm.evaluateLevy(0.25, 0.75, 'space-space');
          expect(inc.A!.shape).toEqual([M, 2, 2]);
          const A = await values(inc.A!);
          inc.W.dispose();
          inc.H?.dispose();
          inc.A!.dispose();
          const a01 = new Float64Array(M);
          let antisymmetric = true;
          for (let r = 0; r < M; r++) {
            antisymmetric &&= A[4 * r] === 0 && A[4 * r + 3] === 0 && A[4 * r + 2] === -A[4 * r + 1]!;
            a01[r] = A[4 * r + 1]!;
          }
          expect(antisymmetric).toBe(true);
          // z-test of mean(A²) against h²/4 with its sample standard error (A is not Gaussian).
          const sq = a01.map((v) => v * v);
          const m2 = mean(sq);
          const se = Math.sqrt(mean(sq.map((v) => (v - m2) ** 2)) / M);
          expect(Math.abs((m2 - (h * h) / 4) / se)).toBeLessThan(Z);
        });
      }
    });
  });
}
