/** Exactness and reproducibility: additivity, repeated queries, order independence, backend independence. */
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { BrownianInterval, key, VirtualBrownianTree } from '../src/index.js';
import { KINDS, make } from './helpers.js';

const F32 = 2 ** -23;
const fromFirstBackend = new Map<string, number[]>();

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

for (const kind of KINDS) {
  describeBackends(`${kind} consistency`, () => {
    it('W(s,t) + W(t,u) = W(s,u) to float32 rounding, and u < s negates', async () => {
      await expectNoLeaks(async () => {
        const bm = make(kind, { t0: -1, t1: 3, shape: [50, 3], key: key(12), levyArea: 'space-time' });
        const times = [-1, -0.37, 0.001, 0.5, 1.25, 2.9999, 3];
        for (let i = 0; i + 2 < times.length; i++) {
          const [s, t, u] = [times[i]!, times[i + 1]!, times[i + 2]!];
          const a = bm.evaluate(s, t);
          const b = bm.evaluate(t, u);
          const c = bm.evaluate(s, u);
          const [x, y, fwd] = [await values(a), await values(b), await values(c)];
          tf_dispose(a, b, c);
          const err = maxAbs(x.map((v, k) => v + y[k]! - fwd[k]!));
          const scale = maxAbs(fwd) + maxAbs(x) + maxAbs(y);
          const back = bm.evaluateArray(u, s);
          // two float32 roundings of exact float64 values, one rounding of their sum
          expect(err).toBeLessThanOrEqual(2 * F32 * scale);
          expect(Array.from(back)).toEqual(fwd.map((v) => -v));
        }
        expect(Array.from(bm.evaluateArray(0.5, 0.5))).toEqual(new Array(150).fill(0));
      });
    });

    it('repeated queries give identical values', () => {
      const bm = make(kind, { t0: 0, t1: 1, shape: [8, 2], key: 3 });
      const first = Array.from(bm.evaluateArray(0.1, 0.7));
      bm.evaluateArray(0.2, 0.9);
      bm.evaluateArray(0.05, 0.06);
      expect(Array.from(bm.evaluateArray(0.1, 0.7))).toEqual(first);
    });

    it('same key: identical values on every backend (host numbers)', async () => {
      const got = await expectNoLeaks(async () => {
        const bm = make(kind, { t0: 0, t1: 1, shape: [4, 3], key: 77, levyArea: 'space-space' });
        const w = bm.evaluate(0.2, 0.6);
        const l = bm.evaluateLevy(0.6, 0.9, 'space-space');
        const v = [...(await values(w)), ...(await values(l.W)), ...(await values(l.H!)), ...(await values(l.A!))];
        tf_dispose(w, l.W, l.H!, l.A!);
        return v;
      });
      expect(got).toEqual([
        ...Array.from(make(kind, { t0: 0, t1: 1, shape: [4, 3], key: 77, levyArea: 'space-space' }).evaluateArray(0.2, 0.6)),
        ...got.slice(12),
      ]);
      const first = fromFirstBackend.get(kind);
      if (first) expect(got).toEqual(first);
      else fromFirstBackend.set(kind, got);
    });

    it('different keys give different (independent) paths', () => {
      const a = make(kind, { t0: 0, t1: 1, shape: [2000], key: 1 }).evaluateArray(0, 1);
      const b = make(kind, { t0: 0, t1: 1, shape: [2000], key: 2 }).evaluateArray(0, 1);
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
      expect(Math.abs(s / Math.sqrt(a.length))).toBeLessThan(4); // |z| < 4
    });
  });
}

function tf_dispose(...xs: { dispose(): void }[]): void {
  xs.forEach((x) => x.dispose());
}

describeBackends('query-order independence', () => {
  const ts = Array.from({ length: 200 }, (_, i) => ((i * 7919) % 200) / 200 + 0.0013);

  it('VirtualBrownianTree: values do not depend on query order', () => {
    const opts = { t0: 0, t1: 1.5, shape: [6], key: 21, levyArea: 'space-time' as const, tol: 1e-5 };
    const a = new VirtualBrownianTree(opts);
    const b = new VirtualBrownianTree(opts);
    const fwd = ts.map((t) => Array.from(a.evaluateArray(0, t)));
    const rev = [...ts]
      .reverse()
      .map((t) => Array.from(b.evaluateArray(0, t)))
      .reverse();
    expect(rev).toEqual(fwd);
    expect(b.evaluateLevyArrays(0.3, 0.9, 'space-time')).toEqual(a.evaluateLevyArrays(0.3, 0.9, 'space-time'));
  });

  it('dyadic points, t1 and sequential stepping give the same values whatever was queried before', () => {
    for (const levyArea of ['none', 'space-time'] as const) {
      const opts = { t0: 0, t1: 2, shape: [5], key: 33, levyArea, tol: 1e-4 };
      const fresh = (make: () => VirtualBrownianTree | BrownianInterval, s: number, u: number): number[] =>
        Array.from(make().evaluateArray(s, u));
      for (const make of [
        () => new VirtualBrownianTree(opts),
        () => new BrownianInterval(opts),
        () => new BrownianInterval({ ...opts, cacheSize: 2 }),
      ]) {
        const bm = make();
        // walk in from both sides of the dyadic points 1 and 1.5 (the paths end at them from the left)
        bm.evaluateArray(0, 0.9999999);
        bm.evaluateArray(0, 1.0000001);
        expect(Array.from(bm.evaluateArray(0, 1))).toEqual(fresh(make, 0, 1));
        bm.evaluateArray(1.4999, 1.49999);
        expect(Array.from(bm.evaluateArray(0, 1.5))).toEqual(fresh(make, 0, 1.5));
        expect(Array.from(bm.evaluateArray(0.5, 2))).toEqual(fresh(make, 0.5, 2));
        // a solver stepping forward (the last point is reused) agrees with fresh queries
        const dt = 0.03;
        for (let i = 0; i < 20; i++) {
          const got = Array.from(bm.evaluateArray(i * dt, (i + 1) * dt));
          if (i % 7 === 3) expect(got).toEqual(fresh(make, i * dt, (i + 1) * dt));
        }
        if (levyArea === 'space-time') {
          const a = bm.evaluateLevyArrays(0.25, 1, 'space-time');
          expect(a).toEqual(make().evaluateLevyArrays(0.25, 1, 'space-time'));
        }
      }
      // both trees are the same tree
      expect(Array.from(new VirtualBrownianTree(opts).evaluateArray(0.5, 1.5))).toEqual(
        Array.from(new BrownianInterval(opts).evaluateArray(0.5, 1.5)),
      );
    }
  });

  it('BrownianInterval: random vs sorted access give the same values, even with a tiny cache', () => {
    const opts = { t0: 0, t1: 1.5, shape: [6], key: 21, levyArea: 'space-time' as const, tol: 1e-5 };
    const random = new BrownianInterval({ ...opts, cacheSize: 3 });
    const sorted = new BrownianInterval(opts);
    const r = ts.map((t) => Array.from(random.evaluateArray(0, t)));
    const order = ts.map((t, i) => [t, i] as const).sort((x, y) => x[0] - y[0]);
    const s = new Array<number[]>(ts.length);
    for (const [t, i] of order) s[i] = Array.from(sorted.evaluateArray(0, t));
    expect(s).toEqual(r);
    expect(random.cachedNodes).toBeLessThanOrEqual(3);
    // the same dyadic tree as VirtualBrownianTree with the same key and tol
    expect(new VirtualBrownianTree(opts).evaluateArray(0.2, 1.1)).toEqual(random.evaluateArray(0.2, 1.1));
  });
});
