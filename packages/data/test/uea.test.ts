/** The UEA/UCR `.ts` archive format (moved here from @nde/latent-models with the reader). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUeaTs, ueaToTensor } from '../src/index.js';

describe('UEA/UCR .ts files', () => {
  const file = `# A two-dimensional problem with series of unequal length and missing values
@problemName Tiny
@timeStamps false
@missing true
@univariate false
@dimensions 2
@equalLength false
@classLabel true up down
@data
1,2,3:4,5,6:up
7,?,9,10:11,12,13,14:down
0.5,1.5:2.5,3.5:up
`;

  it('parses a file the test writes: dimensions, unequal lengths, ? as NaN, labels; pads to a tensor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nde-uea-'));
    const path = join(dir, 'Tiny_TRAIN.ts');
    writeFileSync(path, file);
    const data = parseUeaTs(readFileSync(path, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    expect(data.name).toBe('Tiny');
    expect(data.classes).toEqual(['up', 'down']);
    expect(data.dimensions).toBe(2);
    expect(data.labels).toEqual([0, 1, 0]);
    expect(data.series[1]![0]).toEqual([7, NaN, 9, 10]);
    const { values, ts, labels } = ueaToTensor(data);
    expect(values.shape).toEqual([3, 4, 2]);
    expect(ts).toEqual([0, 1, 2, 3]);
    expect(labels).toEqual([0, 1, 0]);
    const v = values.arraySync();
    expect(v[0]![3]).toEqual([NaN, NaN]); // padding
    expect(v[2]![1]).toEqual([1.5, 3.5]);
    values.dispose();
  });

  it('time-stamped cases and malformed files', () => {
    const stamped = parseUeaTs('@timeStamps true\n@classLabel true a b\n@data\n(0.5,1),(1.5,?),(4,3):b\n');
    expect(stamped.times[0]![0]).toEqual([0.5, 1.5, 4]);
    expect(stamped.series[0]![0]).toEqual([1, NaN, 3]);
    expect(() => parseUeaTs('1,2,3:up')).toThrow(/line 1: expected a @header/);
    expect(() => parseUeaTs('@classLabel true a\n@data\n1,2:b\n')).toThrow(/label 'b' is not in @classLabel/);
    expect(() => parseUeaTs('@dimensions 2\n@data\n1,2\n')).toThrow(/1 dimensions, the header says 2/);
    expect(() => parseUeaTs('@data\n1,x,3\n')).toThrow(/'x' is not a number/);
    expect(() => parseUeaTs('@problemName none\n')).toThrow(/no @data/);
  });
});
