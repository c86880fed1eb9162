/**
 * The 2-D toy densities of FFJORD (`lib/toy_data.py`), with the same constants, seeded, plus the
 * true log-density where it has a closed form or a one-dimensional integral (the best NLL a model
 * can reach on that dataset).
 */
import { UnknownMethodError, assertPositiveInteger } from '@nde/core';
import { Rng } from '../training/seed.js';

/** Names of the 2-D toy datasets. */
export type Toy2dName = 'moons' | 'circles' | '8gaussians' | 'checkerboard' | 'pinwheel' | '2spirals';

/** Every toy dataset name. */
export const TOY2D_NAMES: readonly Toy2dName[] = ['moons', 'circles', '8gaussians', 'checkerboard', 'pinwheel', '2spirals'];

type Gen = (r: Rng, n: number, out: Float32Array) => void;

const GENERATORS: Record<Toy2dName, Gen> = {
  // sklearn make_moons(noise=0.1), then x·2 + (−1, −0.2)
  moons: (r, n, out) => {
    for (let i = 0; i < n; i++) {
      const t = Math.PI * r.uniform();
      const upper = i % 2 === 0;
      const x = upper ? Math.cos(t) : 1 - Math.cos(t);
      const y = upper ? Math.sin(t) : 0.5 - Math.sin(t);
      out[2 * i] = (x + 0.1 * r.normal()) * 2 - 1;
      out[2 * i + 1] = (y + 0.1 * r.normal()) * 2 - 0.2;
    }
  },
  // sklearn make_circles(factor=0.5, noise=0.08), then ×3
  circles: (r, n, out) => {
    for (let i = 0; i < n; i++) {
      const t = 2 * Math.PI * r.uniform();
      const rad = i % 2 === 0 ? 1 : 0.5;
      out[2 * i] = (rad * Math.cos(t) + 0.08 * r.normal()) * 3;
      out[2 * i + 1] = (rad * Math.sin(t) + 0.08 * r.normal()) * 3;
    }
  },
  '8gaussians': (r, n, out) => {
    const s = 1 / Math.SQRT2;
    const centers = [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
      [s, s],
      [s, -s],
      [-s, s],
      [-s, -s],
    ] as const;
    for (let i = 0; i < n; i++) {
      const c = centers[r.int(8)] as readonly [number, number];
      out[2 * i] = (r.normal() * 0.5 + 4 * c[0]) / 1.414;
      out[2 * i + 1] = (r.normal() * 0.5 + 4 * c[1]) / 1.414;
    }
  },
  checkerboard: (r, n, out) => {
    for (let i = 0; i < n; i++) {
      const x1 = r.uniform() * 4 - 2;
      const x2 = r.uniform() - r.int(2) * 2 + (((Math.floor(x1) % 2) + 2) % 2);
      out[2 * i] = x1 * 2;
      out[2 * i + 1] = x2 * 2;
    }
  },
  pinwheel: (r, n, out) => {
    const classes = 5;
    for (let i = 0; i < n; i++) {
      const label = r.int(classes);
      const f0 = r.normal() * 0.3 + 1;
      const f1 = r.normal() * 0.1;
      const angle = (2 * Math.PI * label) / classes + 0.25 * Math.exp(f0);
      const c = Math.cos(angle);
      const sn = Math.sin(angle);
      // einsum("ti,tij->tj", f, [[c, −s], [s, c]])
      out[2 * i] = 2 * (f0 * c + f1 * sn);
      out[2 * i + 1] = 2 * (-f0 * sn + f1 * c);
    }
  },
  '2spirals': (r, n, out) => {
    for (let i = 0; i < n; i++) {
      const m = Math.sqrt(r.uniform()) * 540 * ((2 * Math.PI) / 360);
      const sign = i % 2 === 0 ? 1 : -1;
      const dx = -Math.cos(m) * m + r.uniform() * 0.5;
      const dy = Math.sin(m) * m + r.uniform() * 0.5;
      out[2 * i] = (sign * dx) / 3 + r.normal() * 0.1;
      out[2 * i + 1] = (sign * dy) / 3 + r.normal() * 0.1;
    }
  },
};

/**
 * `n` points of a toy density as a row-major `Float32Array` of length `2n` (same constants as FFJORD).
 * @param name - Which toy density (one of {@link TOY2D_NAMES}).
 * @param n - Number of points (positive integer).
 * @param seed - Integer seed of the {@link Rng} stream (default 0; same seed, same points).
 * @returns Interleaved `[x0, y0, x1, y1, …]`, i.e. `[n, 2]` row-major.
 * @throws UnknownMethodError for an unknown name; InvalidArgumentError when `n` is not a positive integer.
 *
 * @example
 * ```ts
 * const pts = sampleToy2d('8gaussians', 1000, 0); // Float32Array(2000)
 * const x = tf.tensor2d(pts, [1000, 2]);
 * ```
 */
export function sampleToy2d(name: Toy2dName, n: number, seed = 0): Float32Array {
  const gen = GENERATORS[name];
  if (!gen) throw new UnknownMethodError('name', String(name), TOY2D_NAMES);
  assertPositiveInteger('n', n);
  const out = new Float32Array(2 * n);
  gen(new Rng(seed), n, out);
  return out;
}

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal2 = (dx: number, dy: number, s: number): number => -(dx * dx + dy * dy) / (2 * s * s) - LOG_2PI - 2 * Math.log(s);
const logMeanExp = (v: number[]): number => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0) / v.length);
};
const erf = (x: number): number => {
  // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7)
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
};
const Phi = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));
const GRID = 360;

/**
 * True log-density of a toy dataset at a point (nats), or `undefined` where no closed form is
 * implemented (pinwheel). Mixtures over the latent curve parameter use a 720-point quadrature.
 * @param name - Which toy density.
 * @param x - First coordinate of the point.
 * @param y - Second coordinate of the point.
 * @returns log p(x, y) in nats (`-Infinity` outside the support), or `undefined` for pinwheel.
 *
 * @example
 * ```ts
 * toy2dLogDensity('checkerboard', 1, 1); // log(1/32) inside the support
 * ```
 */
export function toy2dLogDensity(name: Toy2dName, x: number, y: number): number | undefined {
  switch (name) {
    case '8gaussians': {
      const s = 1 / Math.SQRT2;
      const centers = [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
        [s, s],
        [s, -s],
        [-s, s],
        [-s, -s],
      ] as const;
      return logMeanExp(centers.map(([cx, cy]) => logNormal2(x - (4 * cx) / 1.414, y - (4 * cy) / 1.414, 0.5 / 1.414)));
    }
    case 'checkerboard': {
      const u = x / 2;
      const v = y / 2;
      if (u < -2 || u >= 2 || v < -2 || v >= 2) return -Infinity;
      const parity = ((Math.floor(u) % 2) + 2) % 2 === ((Math.floor(v) % 2) + 2) % 2;
      return parity ? Math.log(1 / 32) : -Infinity;
    }
    case 'circles': {
      const terms: number[] = [];
      for (let i = 0; i < GRID; i++) {
        const t = (2 * Math.PI * (i + 0.5)) / GRID;
        for (const rad of [1, 0.5]) terms.push(logNormal2(x - 3 * rad * Math.cos(t), y - 3 * rad * Math.sin(t), 0.24));
      }
      return logMeanExp(terms);
    }
    case 'moons': {
      const terms: number[] = [];
      for (let i = 0; i < GRID; i++) {
        const t = (Math.PI * (i + 0.5)) / GRID;
        terms.push(logNormal2(x - (2 * Math.cos(t) - 1), y - (2 * Math.sin(t) - 0.2), 0.2));
        terms.push(logNormal2(x - (2 * (1 - Math.cos(t)) - 1), y - (2 * (0.5 - Math.sin(t)) - 0.2), 0.2));
      }
      return logMeanExp(terms);
    }
    case '2spirals': {
      // x = ±(a + U[0, 0.5]) / 3 + N(0, 0.1²) per coordinate; m = sqrt(u)·3π ⇒ density of m is 2m/(3π)² on [0, 3π].
      const w = 0.5 / 3;
      const M = 3 * Math.PI;
      const box = (v: number, lo: number): number => (Phi((v - lo) / 0.1) - Phi((v - lo - w) / 0.1)) / w;
      let p = 0;
      const steps = 600;
      for (let i = 0; i < steps; i++) {
        const m = (M * (i + 0.5)) / steps;
        const weight = ((2 * m) / (M * M)) * (M / steps);
        const ax = (-Math.cos(m) * m) / 3;
        const ay = (Math.sin(m) * m) / 3;
        p += 0.5 * weight * (box(x, ax) * box(y, ay) + box(-x, ax) * box(-y, ay));
      }
      return Math.log(p);
    }
    default:
      return undefined;
  }
}
