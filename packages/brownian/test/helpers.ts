/** Statistical helpers for the tests: normal CDF, Kolmogorov–Smirnov statistic and critical value. */
import { BrownianInterval, BrownianPath, VirtualBrownianTree, type BrownianMotion, type BrownianOptions } from '../src/index.js';

/** erf, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7: far below the KS resolution used here). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return sign * y;
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** Two-sided one-sample KS statistic D_n = sup |F_n(x) - F(x)|. */
export function ksStatistic(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const xs = Float64Array.from(sample).sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i] as number);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

/** Asymptotic KS critical value at significance alpha: sqrt(-ln(alpha/2)/2) / sqrt(n). */
export function ksCritical(n: number, alpha: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) / Math.sqrt(n);
}

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  return s / x.length;
}

/** Sample correlation of two equal-length arrays. */
export function corr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = (x[i] as number) - mx;
    const b = (y[i] as number) - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}

export type Kind = 'BrownianPath' | 'VirtualBrownianTree' | 'BrownianInterval';
export const KINDS: readonly Kind[] = ['BrownianPath', 'VirtualBrownianTree', 'BrownianInterval'];

export function make(
  kind: Kind,
  options: BrownianOptions & { tol?: number; cacheSize?: number },
): BrownianMotion & {
  evaluateLevyArrays: BrownianPath['evaluateLevyArrays'];
} {
  if (kind === 'BrownianPath') return new BrownianPath(options);
  if (kind === 'VirtualBrownianTree') return new VirtualBrownianTree(options);
  return new BrownianInterval(options);
}
