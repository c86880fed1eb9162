import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@nde/core';
import { Rng, klAnnealing } from '../src/index.js';

describe('schedules and seeds', () => {
  it('klAnnealing rises linearly to 1', () => {
    const w = klAnnealing({ warmup: 10 });
    expect([w(0), w(5), w(10), w(50)]).toEqual([0, 0.5, 1, 1]);
    expect(klAnnealing({ warmup: 0 })(0)).toBe(1);
    expect(() => klAnnealing({ warmup: -1 })).toThrow(InvalidArgumentError);
  });

  it('Rng is reproducible and forks independent streams', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    expect([a.uniform(), a.normal(), a.nextSeed()]).toEqual([b.uniform(), b.normal(), b.nextSeed()]);
    expect(new Rng(6).uniform()).not.toBe(new Rng(5).uniform());
    expect(new Rng(1).permutation(5).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
