import { describe, expect, it } from 'vitest';
import { bitsPerDim, oodAuroc } from '../src/index.js';

describe('OOD AUROC', () => {
  it('is 1 for separated scores, 0.5 for identical ones, and matches a hand count with ties', async () => {
    expect(await oodAuroc([0, 1, 2], [3, 4])).toBe(1);
    expect(await oodAuroc([1, 1], [1, 1])).toBe(0.5);
    // pairs (in, out): (0,1) win, (0,0) tie, (2,1) loss, (2,0) loss → (1 + 0.5)/4
    expect(await oodAuroc([0, 2], [1, 0])).toBeCloseTo(0.375, 12);
    await expect(oodAuroc([], [1])).rejects.toThrow(/`inScores`: is empty/);
  });
});

describe('bits per dimension', () => {
  it('uniform density on [0,1]^D is 8 bits/dim for 8-bit data; raw integer scale needs no correction', async () => {
    expect(await bitsPerDim([0, 0], { dims: 784 })).toBeCloseTo(8, 12);
    expect(await bitsPerDim(-784 * Math.log(256), { dims: 784, range: 256 })).toBeCloseTo(8, 12);
    // data in [−1, 1]: density 2^−D uniform → log p = −D ln 2 → bpd = 1 + log2(128) = 8
    expect(await bitsPerDim(-10 * Math.LN2, { dims: 10, range: 2 })).toBeCloseTo(8, 12);
    await expect(bitsPerDim([0], { dims: 0 })).rejects.toThrow(/`dims`/);
    await expect(bitsPerDim([NaN], { dims: 2 })).rejects.toThrow(/`logLikelihood`/);
  });
});
