import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnknownMethodError } from '@nde/core';
import { TOY2D_NAMES, sampleToy2d, toy2dLogDensity } from '../src/index.js';

describe('2-D toy datasets', () => {
  it('are seeded, finite and of the right size', () => {
    for (const name of TOY2D_NAMES) {
      const a = sampleToy2d(name, 500, 3);
      expect(a.length).toBe(1000);
      expect(Array.from(a).every(Number.isFinite)).toBe(true);
      expect(Array.from(sampleToy2d(name, 500, 3))).toEqual(Array.from(a));
      expect(Math.max(...Array.from(a).map(Math.abs))).toBeLessThan(6);
    }
  });

  it('true densities integrate to ≈ 1 and are positive on the samples', () => {
    for (const name of ['8gaussians', 'checkerboard', 'circles', 'moons', '2spirals'] as const) {
      const n = 60;
      const lim = 5;
      const h = (2 * lim) / n;
      let mass = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) mass += Math.exp(toy2dLogDensity(name, -lim + (i + 0.5) * h, -lim + (j + 0.5) * h)!) * h * h;
      expect(Math.abs(mass - 1)).toBeLessThan(0.03);
      const s = sampleToy2d(name, 200, 1);
      for (let i = 0; i < 200; i++) expect(Number.isFinite(toy2dLogDensity(name, s[2 * i]!, s[2 * i + 1]!)!)).toBe(true);
    }
    expect(toy2dLogDensity('pinwheel', 0, 0)).toBeUndefined();
  });

  it('rejects unknown names and bad sizes', () => {
    expect(() => sampleToy2d('swirl' as never, 10)).toThrow(UnknownMethodError);
    expect(() => sampleToy2d('moons', 0)).toThrow(InvalidArgumentError);
  });
});
