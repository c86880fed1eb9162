/** Bad input gives the exact error class, naming the argument. */
import { expect, it } from 'vitest';
import { describeBackends, thrownError } from '@nde/test-utils';
import { InvalidArgumentError, UnsupportedError, type NdeError } from '@nde/core';
import { BrownianInterval, VirtualBrownianTree } from '../src/index.js';
import { KINDS, make } from './helpers.js';

const thrown = (fn: () => unknown): NdeError => thrownError(fn);

for (const kind of KINDS) {
  describeBackends(`${kind} bad input`, () => {
    const bm = make(kind, { t0: 0, t1: 1, shape: [3], key: 0, levyArea: 'space-time' });

    it('times outside [t0, t1] or NaN throw InvalidArgumentError naming the argument', () => {
      for (const [s, u, arg] of [
        [-0.1, 0.5, 's'],
        [0.2, 1.5, 'u'],
        [Number.NaN, 0.5, 's'],
        [0.1, Number.NaN, 'u'],
        [0.1, Infinity, 'u'],
      ] as const) {
        const e = thrown(() => bm.evaluate(s, u));
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect(e.argument).toBe(arg);
        expect(() => bm.evaluateArray(s, u)).toThrow(InvalidArgumentError);
        expect(() => bm.evaluateLevy(s, u, 'space-time')).toThrow(InvalidArgumentError);
      }
      expect(thrown(() => bm.evaluateLevy(0.6, 0.5, 'space-time')).argument).toBe('u');
    });

    it('float rounding just past t1 is clamped, not an error', () => {
      let t = 0;
      for (let i = 0; i < 10; i++) t += 0.1; // 0.9999999999999999
      expect(() => bm.evaluateArray(0, t * (1 + 2 ** -52))).not.toThrow();
    });

    it('bad shapes, intervals, levy kinds and keys throw InvalidArgumentError', () => {
      for (const shape of [[0], [2, -1], [1.5], [Number.NaN]]) {
        const e = thrown(() => make(kind, { t0: 0, t1: 1, shape, key: 0 }));
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect(e.argument).toBe('shape');
      }
      expect(thrown(() => make(kind, { t0: 1, t1: 1, shape: [2], key: 0 })).argument).toBe('t1');
      expect(thrown(() => make(kind, { t0: Number.NaN, t1: 1, shape: [2], key: 0 })).argument).toBe('t0');
      expect(thrown(() => make(kind, { t0: 0, t1: 1, shape: [], key: 0, levyArea: 'space-space' })).argument).toBe('shape');
      expect(() => make(kind, { t0: 0, t1: 1, shape: [2], key: 0, levyArea: 'full' as never })).toThrow(InvalidArgumentError);
      expect(() => make(kind, { t0: 0, t1: 1, shape: [2], key: 0.5 })).toThrow(InvalidArgumentError);
    });

    it('asking for more Lévy area than built with throws UnsupportedError', () => {
      const plain = make(kind, { t0: 0, t1: 1, shape: [2], key: 0 });
      expect(thrown(() => plain.evaluateLevy(0, 1, 'space-time'))).toBeInstanceOf(UnsupportedError);
      expect(thrown(() => bm.evaluateLevy(0, 1, 'space-space'))).toBeInstanceOf(UnsupportedError);
    });
  });
}

describeBackends('tolerance and cache options', () => {
  it('tol <= 0 or NaN throws InvalidArgumentError naming tol', () => {
    for (const tol of [0, -1e-3, Number.NaN]) {
      expect(thrown(() => new VirtualBrownianTree({ t0: 0, t1: 1, shape: [2], key: 0, tol })).argument).toBe('tol');
      expect(thrown(() => new BrownianInterval({ t0: 0, t1: 1, shape: [2], key: 0, tol })).argument).toBe('tol');
    }
  });

  it('cacheSize < 1 throws InvalidArgumentError', () => {
    expect(thrown(() => new BrownianInterval({ t0: 0, t1: 1, shape: [2], key: 0, cacheSize: 0 })).argument).toBe('cacheSize');
  });
});
