import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import { InvalidArgumentError } from '@nde/core';
import { fold, key, normal, normalArray, split, threefry2x32, uniformArray } from '../src/index.js';
import { zigguratTables } from '../src/prng.js';
import { ksCritical, ksStatistic, mean, normalCdf } from './helpers.js';

describe('threefry2x32 known-answer vectors (Random123 kat_vectors, 20 rounds)', () => {
  // Random123 lists counter then key: "threefry2x32 20 ctr0 ctr1 key0 key1 -> out0 out1".
  const cases: [number[], number[], number[]][] = [
    [
      [0x00000000, 0x00000000],
      [0x00000000, 0x00000000],
      [0x6b200159, 0x99ba4efe],
    ],
    [
      [0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      [0x1cb996fc, 0xbb002be7],
    ],
    [
      [0x243f6a88, 0x85a308d3],
      [0x13198a2e, 0x03707344],
      [0xc4923a9c, 0x483df7a0],
    ],
  ];
  it.each(cases)('counter %j key %j', (ctr, k, want) => {
    expect(threefry2x32([k[0]!, k[1]!], [ctr[0]!, ctr[1]!])).toEqual(want);
  });

  it('key/split/fold match JAX (PRNGKey, split, fold_in)', () => {
    expect(key(0)).toEqual([0, 0]);
    expect(key(42)).toEqual([0, 42]);
    expect(key(-1)).toEqual([0xffffffff, 0xffffffff]);
    // jax.random.split(jax.random.PRNGKey(0))
    expect(split(key(0))).toEqual([
      [4146024105, 967050713],
      [2718843009, 1272950319],
    ]);
    // jax.random.fold_in(jax.random.PRNGKey(0), 1)
    expect(fold(key(0), 1)).toEqual([928981903, 3453687069]);
  });
});

describe('split and fold give distinct streams', () => {
  it('split keys are distinct and their normals are uncorrelated', () => {
    const keys = split(key(7), 16);
    expect(new Set(keys.map((k) => k.join(','))).size).toBe(16);
    const a = normalArray(keys[0]!, 20000);
    const b = normalArray(keys[1]!, 20000);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    // sample correlation * sqrt(n) ~ N(0,1): |z| < 4 fails with probability 6e-5.
    expect(Math.abs(s / Math.sqrt(a.length))).toBeLessThan(4);
  });

  it('fold with different data gives different keys; same data the same key', () => {
    const k = key(3);
    const folded = Array.from({ length: 100 }, (_, i) => fold(k, i).join(','));
    expect(new Set(folded).size).toBe(100);
    expect(fold(k, 5)).toEqual(fold(k, 5));
    expect(fold(k, 5)).not.toEqual(split(k)[0]);
  });

  it('streams are prefix-consistent and reproducible', () => {
    const k = key(11);
    expect(Array.from(normalArray(k, 7))).toEqual(Array.from(normalArray(k, 8).subarray(0, 7)));
    expect(Array.from(uniformArray(k, 5))).toEqual(Array.from(uniformArray(k, 5)));
  });
});

describe('distributions', () => {
  it('uniforms lie in (0, 1) with mean 1/2 (z-test, |z| < 4, n = 1e5)', () => {
    const u = uniformArray(key(1), 100_000);
    expect(u.every((x) => x > 0 && x < 1)).toBe(true);
    expect(Math.abs((mean(u) - 0.5) / Math.sqrt(1 / 12 / u.length))).toBeLessThan(4);
  });

  it('normals pass KS against N(0,1) at alpha = 0.001 (n = 1e5)', () => {
    const z = normalArray(key(2), 100_000);
    expect(ksStatistic(z, normalCdf)).toBeLessThan(ksCritical(z.length, 0.001));
  });

  it('normals pass KS against N(0,1) at alpha = 0.001 (n = 1e6, several keys)', () => {
    for (const k of [key(3), fold(key(4), 1)]) {
      const z = normalArray(k, 1_000_000);
      expect(ksStatistic(z, normalCdf)).toBeLessThan(ksCritical(z.length, 0.001));
    }
  });

  it('moments of 1e6 normals: mean 0, variance 1, skewness 0, kurtosis 3 (|z| < 4)', () => {
    const n = 1_000_000;
    const z = normalArray(key(5), n);
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (const v of z) {
      const v2 = v * v;
      s1 += v;
      s2 += v2;
      s3 += v2 * v;
      s4 += v2 * v2;
    }
    // standard errors of the sample moments of N(0,1): sqrt(Var(z^k)/n), Var(z)=1, Var(z²)=2, Var(z³)=15, Var(z⁴)=96
    expect(Math.abs(s1 / n / Math.sqrt(1 / n))).toBeLessThan(4);
    expect(Math.abs((s2 / n - 1) / Math.sqrt(2 / n))).toBeLessThan(4);
    expect(Math.abs(s3 / n / Math.sqrt(15 / n))).toBeLessThan(4);
    expect(Math.abs((s4 / n - 3) / Math.sqrt(96 / n))).toBeLessThan(4);
  });

  it('tail mass beyond 2σ, 3σ, 4σ and the ziggurat tail start r matches N(0,1) (n = 4e6, binomial |z| < 4)', () => {
    const n = 4_000_000;
    const z = normalArray(key(6), n);
    const r = zigguratTables().r;
    const cuts = [2, 3, 4, r, 4.5];
    const counts = cuts.map(() => 0);
    let pos = 0;
    for (const v of z) {
      const a = Math.abs(v);
      if (v > 3) pos++;
      for (let c = 0; c < cuts.length; c++) if (a > cuts[c]!) counts[c]!++;
    }
    cuts.forEach((c, i) => {
      const p = 2 * (1 - normalCdfTail(c));
      const zscore = (counts[i]! - n * p) / Math.sqrt(n * p * (1 - p));
      expect(Math.abs(zscore), `|Z| > ${c}: ${counts[i]} vs ${(n * p).toFixed(1)}`).toBeLessThan(4);
    });
    // the two tails are symmetric
    const p3 = 1 - normalCdfTail(3);
    expect(Math.abs((pos - n * p3) / Math.sqrt(n * p3 * (1 - p3)))).toBeLessThan(4);
  });

  it('the tail beyond r (the slow path) has the conditional normal law (KS, alpha = 0.001)', () => {
    const r = zigguratTables().r;
    const tail: number[] = [];
    for (let j = 0; j < 4; j++) {
      for (const v of normalArray(fold(key(8), j), 2_000_000)) if (Math.abs(v) > r) tail.push(Math.abs(v));
    }
    expect(tail.length).toBeGreaterThan(1500); // ~2060 expected
    const qr = upperTail(r);
    const d = ksStatistic(tail, (x) => 1 - upperTail(x) / qr);
    expect(d).toBeLessThan(ksCritical(tail.length, 0.001));
  });

  it('ziggurat layers all have the same area v (tables), and the fast path is the Threefry word stream', () => {
    const { x, f, layers, r, v } = zigguratTables();
    expect(layers).toBe(256);
    expect(x[1]).toBe(r);
    // base layer: rectangle [0, r] × [0, f(r)] plus the tail ∫_r^∞ f
    expect(Math.abs((r * f[1]! + Math.sqrt(Math.PI / 2) * 2 * upperTail(r)) / v - 1)).toBeLessThan(1e-8);
    for (let i = 1; i < layers; i++) expect(Math.abs((x[i]! * (f[i + 1]! - f[i]!)) / v - 1)).toBeLessThan(1e-8);
    // Sample i's first candidate is word i of the block stream (block ⌊i/2⌋ at counter (⌊i/2⌋, 0)):
    // bits 0-7 layer, bit 8 sign, bits 9-31 abscissa. Check every fast-path sample against threefry2x32.
    const k = fold(key(10), 3);
    const z = normalArray(k, 4000);
    let fast = 0;
    for (let i = 0; i < z.length; i++) {
      const w = threefry2x32(k, [i >> 1, 0])[i & 1]!;
      const layer = w & 255;
      const m = w >>> 9;
      const xv = (m + 0.5) * x[layer]! * 2 ** -23;
      if (xv < x[layer + 1]!) {
        fast++;
        expect(z[i]).toBe(Math.fround(w & 256 ? -xv : xv));
      }
    }
    expect(fast / z.length).toBeGreaterThan(0.98);
  });

  it('1e6 normals take a few ms', () => {
    normalArray(key(0), 1_000_000); // warm-up
    const t = performance.now();
    normalArray(key(1), 1_000_000);
    const ms = performance.now() - t;
    console.log(`normalArray 1e6: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(500); // generous: shared CI machines
  });

  it('rejects bad keys, counts and seeds', () => {
    expect(() => key(0.5)).toThrow(InvalidArgumentError);
    expect(() => split([1, -1] as unknown as [number, number])).toThrow(InvalidArgumentError);
    expect(() => normalArray(key(0), -1)).toThrow(InvalidArgumentError);
    expect(() => fold(key(0), Number.NaN)).toThrow(InvalidArgumentError);
  });
});

/** P(Z > x) for x >= 0, to ~1e-14 relative (continued fraction for large x, series below). */
function upperTail(x: number): number {
  if (x > 3) {
    let fr = 0;
    for (let k = 300; k >= 1; k--) fr = k / (x + fr);
    return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) / (x + fr);
  }
  // Φ(x) - 1/2 = φ(x) Σ x^(2k+1) / (1·3·5···(2k+1))
  let term = x;
  let sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (x * x) / (2 * k + 1);
    sum += term;
  }
  return 0.5 - (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)) * sum;
}

/** Φ(x) (accurate in the tails, unlike the erf approximation of the KS helper). */
function normalCdfTail(x: number): number {
  return x >= 0 ? 1 - upperTail(x) : upperTail(-x);
}

const fromFirstBackend = new Map<string, number[]>();

describeBackends('normal(key, shape)', (backend) => {
  it('is float32, has the shape, and equals the host numbers', async () => {
    await expectNoLeaks(async () => {
      const x = normal(key(5), [3, 4]);
      expect(x.dtype).toBe('float32');
      expect(x.shape).toEqual([3, 4]);
      const got = await values(x);
      x.dispose();
      expect(got).toEqual(Array.from(normalArray(key(5), 12)));
    });
  });

  it('gives identical values on every backend', async () => {
    const got = await expectNoLeaks(async () => {
      const x = normal(fold(key(9), 2), [64]);
      const v = await values(x);
      x.dispose();
      return v;
    });
    const first = fromFirstBackend.get('normal');
    if (first) expect(got).toEqual(first);
    else fromFirstBackend.set('normal', got);
    expect(tf.getBackend()).toBe(backend === 'node' ? 'tensorflow' : backend);
  });

  it('rejects a bad shape', () => {
    expect(() => normal(key(0), [2, 0])).toThrow(InvalidArgumentError);
    expect(() => normal(key(0), [1.5])).toThrow(InvalidArgumentError);
  });
});
