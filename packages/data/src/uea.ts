/**
 * The UEA/UCR time-series archive's `.ts` format (sktime's): `@` header lines (`@problemName`, `@univariate`,
 * `@dimensions`, `@equalLength`, `@seriesLength`, `@classLabel true a b c`, …), then `@data` and one case per
 * line, dimensions separated by `:`, values by `,`, `?` for a missing value, the class label last. Series may
 * have different lengths. Also reads the `(timestamp,value)` form of `@timeStamps true` files.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';

/** A parsed `.ts` file. */
export interface UeaDataset {
  /** `@problemName`, or '' when absent. */
  readonly name: string;
  /** The class labels in `@classLabel` order ([] for regression files without labels). */
  readonly classes: readonly string[];
  /** Per case, per dimension, the values (NaN where the file says `?`). */
  readonly series: readonly (readonly (readonly number[])[])[];
  /** Per case, per dimension, the time stamps (indices 0, 1, … when the file has none). */
  readonly times: readonly (readonly (readonly number[])[])[];
  /** Per case, the index of its label in `classes` (-1 without labels). */
  readonly labels: readonly number[];
  /** Number of dimensions (channels). */
  readonly dimensions: number;
}

const lower = (s: string): string => s.trim().toLowerCase();

/**
 * Parse the text of a UEA/UCR `.ts` file.
 *
 * @param text - the file's contents.
 * @returns the cases, their labels and the class list.
 * @throws InvalidArgumentError naming the line when the file is malformed.
 * @example
 * ```ts
 * const data = parseUeaTs(readFileSync('CharacterTrajectories_TRAIN.ts', 'utf8'));
 * const { values, ts, labels } = ueaToTensor(data);
 * ```
 */
export function parseUeaTs(text: string): UeaDataset {
  const lines = text.split(/\r?\n/);
  let name = '';
  let classes: string[] = [];
  let hasLabels = false;
  let timeStamps = false;
  let dimensions = 0;
  let inData = false;
  const series: number[][][] = [];
  const times: number[][][] = [];
  const labels: number[] = [];
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `line ${n + 1}`;
    if (!inData) {
      if (!line.startsWith('@'))
        throw new InvalidArgumentError('text', `${where}: expected a @header line before @data (got '${line.slice(0, 40)}').`);
      const [key = '', ...rest] = line.split(/\s+/);
      const k = lower(key);
      if (k === '@problemname') name = rest.join(' ');
      else if (k === '@timestamps') timeStamps = lower(rest[0] ?? '') === 'true';
      else if (k === '@dimensions') dimensions = Number(rest[0]);
      else if (k === '@classlabel') {
        hasLabels = lower(rest[0] ?? '') === 'true';
        classes = hasLabels ? rest.slice(1) : [];
      } else if (k === '@data') inData = true;
      return;
    }
    const parts = line.split(':');
    const label = hasLabels ? (parts.pop() as string).trim() : undefined;
    if (dimensions && parts.length !== dimensions) {
      throw new InvalidArgumentError('text', `${where}: ${parts.length} dimensions, the header says ${dimensions}.`);
    }
    const caseValues: number[][] = [];
    const caseTimes: number[][] = [];
    for (const dim of parts) {
      const vs: number[] = [];
      const tsDim: number[] = [];
      const value = (text: string): number => {
        const t = text.trim();
        if (t === '?' || t === '') return NaN;
        const v = Number(t);
        if (!Number.isFinite(v)) throw new InvalidArgumentError('text', `${where}: '${t.slice(0, 20)}' is not a number.`);
        return v;
      };
      if (timeStamps) {
        for (const m of dim.matchAll(/\(([^,()]+),([^()]+)\)/g)) {
          tsDim.push(Number(m[1]));
          vs.push(value(m[2] as string));
        }
      } else {
        dim.split(',').forEach((v, i) => {
          vs.push(value(v));
          tsDim.push(i);
        });
      }
      caseValues.push(vs);
      caseTimes.push(tsDim);
    }
    series.push(caseValues);
    times.push(caseTimes);
    if (label !== undefined) {
      const idx = classes.indexOf(label);
      if (idx < 0) throw new InvalidArgumentError('text', `${where}: label '${label}' is not in @classLabel (${classes.join(', ')}).`);
      labels.push(idx);
    } else labels.push(-1);
  });
  if (!inData) throw new InvalidArgumentError('text', 'has no @data line: not a UEA/UCR .ts file.');
  return { name, classes, series, times, labels, dimensions: dimensions || (series[0]?.length ?? 0) };
}

/**
 * Pad the cases of a {@link UeaDataset} (without time stamps) to the longest one with NaN, as the neural-CDE
 * interpolations expect: `values [cases, T, dimensions]`, `ts = [0, 1, …, T − 1]`.
 *
 * @param data - a parsed file.
 * @returns the padded values (owned by the caller), the times and the label indices.
 * @example
 * ```ts
 * const { values, ts, labels } = ueaToTensor(parseUeaTs(text));
 * const X = hermiteCubicInterpolation(values, ts, { timeChannel: true, cumulativeCount: true });
 * ```
 */
export function ueaToTensor(data: UeaDataset): { values: tf.Tensor3D; ts: number[]; labels: number[] } {
  const N = data.series.length;
  const C = data.dimensions;
  const T = Math.max(...data.series.flatMap((c) => c.map((d) => d.length)));
  const out = new Float32Array(N * T * C).fill(NaN);
  data.series.forEach((c, n) => c.forEach((d, j) => d.forEach((v, i) => (out[(n * T + i) * C + j] = v))));
  return { values: tf.tensor3d(out, [N, T, C]), ts: Array.from({ length: T }, (_, i) => i), labels: [...data.labels] };
}
