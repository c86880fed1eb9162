import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { thrownError, values } from '@nde/test-utils';
import {
  collateSequences,
  csvTimeSeries,
  mocapLike,
  ouProcess,
  parseCsv,
  seriesToBatch,
  spirals,
  splitBatchAt,
  stochasticLorenz,
  disposeBatch,
} from '../src/index.js';

// The devDependency's real CSV files (node_modules/vega-datasets/data/*.csv).
const vegaData = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../node_modules/vega-datasets/data/${name}`, import.meta.url)), 'utf8');

describe('data', () => {
  it('collateSequences puts per-sequence grids on the union grid with a mask', async () => {
    const batch = collateSequences([
      { times: [0, 0.5], values: [[1], [2]] },
      { times: [0.2, 0.5, 0.9], values: [[0], [Number.NaN], [3]] },
    ]);
    expect(batch.times).toEqual([0, 0.2, 0.5, 0.9]);
    expect(await values(batch.mask)).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    expect(await values(batch.values)).toEqual([1, 0, 2, 0, 0, 0, 0, 3]);
    const { before, after } = splitBatchAt(batch, 0.5);
    expect([before.times, after.times]).toEqual([[0, 0.2, 0.5], [0.9]]);
    expect(() => collateSequences([{ times: [0, 1], values: [[1]] }])).toThrow(ShapeError);
    expect(() => splitBatchAt(batch, 5)).toThrow(InvalidArgumentError);
    [batch, before, after].forEach(disposeBatch);
  });

  it('generators give the documented shapes, seeded', async () => {
    const s = spirals({ n: 6, nSample: 40, nObserved: 10, seed: 1 });
    expect(s.observed.values.shape).toEqual([6, 20, 2]);
    expect(s.future.values.shape).toEqual([6, 20, 2]);
    expect((await values(tf.sum(s.observed.mask))).at(0)).toBe(6 * 10 * 2);
    const s2 = spirals({ n: 6, nSample: 40, nObserved: 10, seed: 1 });
    expect(await values(s2.future.values)).toEqual(await values(s.future.values));
    s.dispose();
    s2.dispose();
    const ou = ouProcess({ n: 5, nTimes: 10, seed: 0 });
    expect(ou.batch.values.shape).toEqual([5, 10, 1]);
    disposeBatch(ou.batch);
    const lz = stochasticLorenz({ n: 3, nTimes: 20, t1: 0.2, seed: 0 });
    expect(lz.batch.values.shape).toEqual([3, 20, 3]);
    disposeBatch(lz.batch);
    const mo = mocapLike({ nTrain: 4, nTest: 2, seed: 0 });
    expect(mo.train.full.values.shape).toEqual([4, 75, 50]);
    expect(mo.test.observed.values.shape).toEqual([2, 50, 50]);
    expect(mo.test.future.values.shape).toEqual([2, 25, 50]);
    expect(mo.test.future.times[0]).toBeCloseTo(5, 10);
    mo.dispose();
  });

  it('mocapLike: speedSpread defaults to 0.15, 0 changes the data, and out-of-range spreads are refused by name', () => {
    const first = (o: Parameters<typeof mocapLike>[0]): number[] => {
      const d = mocapLike({ nTrain: 2, nTest: 1, seed: 3, ...o });
      const v = Array.from(d.train.full.values.dataSync().slice(0, 200));
      d.dispose();
      return v;
    };
    expect(first({ speedSpread: 0.15 })).toEqual(first({}));
    const base = first({});
    const oneSpeed = first({ speedSpread: 0 });
    expect(Math.max(...oneSpeed.map((x, i) => Math.abs(x - (base[i] as number))))).toBeGreaterThan(1e-3);
    for (const bad of [-0.1, 0.5, Number.NaN]) {
      const err = thrownError(() => mocapLike({ nTrain: 2, nTest: 1, speedSpread: bad }));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toContain('speedSpread');
    }
  });

  it('loads real CSV series from vega-datasets (stocks: grouped; CO₂: one series)', async () => {
    const stocks = csvTimeSeries(vegaData('stocks.csv'), {
      time: 'date',
      values: ['price'],
      groupBy: 'symbol',
      timeUnitMs: 365.25 * 864e5,
    });
    expect(stocks.map((s) => s.name).sort()).toEqual(['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT']);
    const msft = stocks.find((s) => s.name === 'MSFT');
    expect(msft?.values[0]).toEqual([39.81]);
    const { batch, mean, std } = seriesToBatch(stocks, { normalize: true });
    expect(batch.values.shape[0]).toBe(5);
    expect(std[0]).toBeGreaterThan(0);
    // GOOG starts in 2004: its early grid points are masked.
    const goog = stocks.findIndex((s) => s.name === 'GOOG');
    const m = (await values(batch.mask)).slice(goog * batch.times.length, goog * batch.times.length + 3);
    expect(m).toEqual([0, 0, 0]);
    expect(Number.isFinite(mean[0])).toBe(true);
    disposeBatch(batch);
    const co2 = csvTimeSeries(vegaData('co2-concentration.csv'), { time: 'Date', values: ['CO2'] });
    expect(co2).toHaveLength(1);
    expect(co2[0]?.times.length).toBeGreaterThan(700);
    expect(() => csvTimeSeries('a,b\n1,2\n', { time: 'x' })).toThrow(/column 'x'/);
    expect(parseCsv('a,b\n"1,5",2\n')).toEqual([{ a: '1,5', b: '2' }]);
  });
});
