import { describe, expect, it } from 'vitest';
import { ProgressLogger } from '../src/index.js';

describe('progress', () => {
  it('ProgressLogger prints every k iterations', () => {
    const lines: string[] = [];
    const p = new ProgressLogger({ total: 10, every: 5, label: 't', write: (l) => lines.push(l) });
    for (let i = 0; i < 10; i++) p.update(i, { loss: 1 / (i + 1) });
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/^t 5\/10 loss 0\.2000/);
  });
});
