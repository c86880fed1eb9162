/**
 * Real time series from CSV text: parse, pick a time column and value columns, optionally group rows
 * into several series (e.g. one per stock symbol), and turn them into an {@link IrregularBatch}. The CSV
 * itself is parsed by `@nde/data`'s `parseCsv` (d3-dsv).
 */
import { InvalidArgumentError } from '@nde/core';
import { parseCsv } from '@nde/data';
import { collateSequences, type IrregularBatch, type Sequence } from './batch.js';

/** Options of {@link csvTimeSeries}. */
export interface CsvSeriesOptions {
  /** Name of the time column. Numbers are used as they are; dates are parsed (`Date.parse`). */
  time: string;
  /** Value columns (default: every other numeric column). */
  values?: readonly string[];
  /** Column whose value splits rows into separate series. */
  groupBy?: string;
  /** Dates become `(ms − first ms) / timeUnitMs` (default one day: 86 400 000). */
  timeUnitMs?: number;
  /** Field separator (default ','). */
  separator?: string;
}

/** One parsed series. */
export interface NamedSeries extends Sequence {
  /** The group's key (or 'all'). */
  readonly name: string;
  /** Column names of the value vectors. */
  readonly columns: readonly string[];
}

/**
 * Time series from CSV text. Missing or non-numeric cells become NaN (masked after collation);
 * rows of each series are sorted by time and rows with a duplicate time are dropped (the first kept).
 * @param text - CSV text with a header line.
 * @param options - Time column, value columns, grouping column, date unit and separator.
 * @returns One series per group, in order of first appearance (a single `'all'` series without `groupBy`).
 * @throws InvalidArgumentError for an unknown column, no rows, no numeric value columns or an unparsable time.
 *
 * @example
 * ```ts
 * const text = readFileSync('node_modules/vega-datasets/data/stocks.csv', 'utf8');
 * const series = csvTimeSeries(text, { time: 'date', values: ['price'], groupBy: 'symbol', timeUnitMs: 365.25 * 864e5 });
 * const batch = seriesToBatch(series, { normalize: true });
 * ```
 */
export function csvTimeSeries(text: string, options: CsvSeriesOptions): NamedSeries[] {
  const rows = parseCsv(text, options.separator ?? ',');
  if (rows.length === 0) throw new InvalidArgumentError('text', 'has a header but no rows.');
  const first = rows[0] as Record<string, string>;
  if (!(options.time in first)) {
    throw new InvalidArgumentError('time', `column '${options.time}' is not in the header (${Object.keys(first).join(', ')}).`);
  }
  const columns =
    options.values ??
    Object.keys(first).filter((c) => c !== options.time && c !== options.groupBy && Number.isFinite(Number(first[c])) && first[c] !== '');
  for (const c of columns)
    if (!(c in first)) throw new InvalidArgumentError('values', `column '${c}' is not in the header (${Object.keys(first).join(', ')}).`);
  if (columns.length === 0) throw new InvalidArgumentError('values', 'no numeric value columns found.', 'Name them with options.values.');
  const unit = options.timeUnitMs ?? 864e5;
  const raw = rows.map((r) => r[options.time] ?? '');
  const numeric = raw.every((s) => s !== '' && Number.isFinite(Number(s)));
  const parsed = raw.map((s, i) => {
    const t = numeric ? Number(s) : Date.parse(s);
    if (!Number.isFinite(t)) throw new InvalidArgumentError('time', `row ${i + 1}: cannot parse '${s}' as a number or a date.`);
    return t;
  });
  const origin = numeric ? 0 : Math.min(...parsed);
  const groups = new Map<string, { t: number; v: number[] }[]>();
  rows.forEach((r, i) => {
    const key = options.groupBy ? (r[options.groupBy] ?? '') : 'all';
    const t = numeric ? (parsed[i] as number) : ((parsed[i] as number) - origin) / unit;
    const v = columns.map((c) => {
      const s = r[c] ?? '';
      return s === '' ? Number.NaN : Number(s);
    });
    const list = groups.get(key) ?? [];
    list.push({ t, v });
    groups.set(key, list);
  });
  return [...groups.entries()].map(([name, list]) => {
    list.sort((a, b) => a.t - b.t);
    const dedup = list.filter((p, i) => i === 0 || p.t !== (list[i - 1] as { t: number }).t);
    return { name, columns, times: dedup.map((p) => p.t), values: dedup.map((p) => p.v) };
  });
}

/**
 * Collate parsed series into a masked batch on the union time grid, optionally standardising each
 * column over all observed values (the statistics are returned to undo it: `x = z·std + mean`).
 * The batch tensors belong to the caller (`disposeBatch`).
 * @param series - Non-empty list of series with the same columns (e.g. from {@link csvTimeSeries}).
 * @param options - `normalize`: standardise each column to zero mean and unit std (default false: mean 0, std 1 returned).
 * @throws InvalidArgumentError when `series` is empty.
 *
 * @example
 * ```ts
 * const { batch, mean, std } = seriesToBatch(series, { normalize: true });
 * ```
 */
export function seriesToBatch(
  series: readonly NamedSeries[],
  options: { normalize?: boolean } = {},
): { batch: IrregularBatch; mean: number[]; std: number[] } {
  if (series.length === 0) throw new InvalidArgumentError('series', 'is empty.');
  const d = (series[0] as NamedSeries).columns.length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(1);
  if (options.normalize) {
    for (let j = 0; j < d; j++) {
      const xs = series.flatMap((s) => s.values.map((row) => row[j] as number)).filter(Number.isFinite);
      const m = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length)) || 1;
      mean[j] = m;
      std[j] = sd;
    }
  }
  const seqs = series.map((s) => ({
    times: s.times,
    values: s.values.map((row) => row.map((x, j) => (x - (mean[j] as number)) / (std[j] as number))),
  }));
  return { batch: collateSequences(seqs), mean, std };
}

/** Re-exported from `@nde/data`; deprecated here (removed in the next minor release): import it from `@nde/data`. */
export { parseCsv } from '@nde/data';
