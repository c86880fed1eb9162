/** Expected / maximum calibration error and reliability-diagram data (top-label calibration). */
import { InvalidArgumentError } from '@nde/core';
import { readLabels, readProbabilities, type LabelsLike, type ProbabilitiesLike } from './validate.js';

/** Options of {@link reliabilityDiagram}, {@link expectedCalibrationError} and {@link maxCalibrationError}. */
export interface CalibrationOptions {
  /** Number of bins (default 15). */
  bins?: number;
  /** `equal-width` bins over [0, 1] (default), or `equal-mass` bins holding (nearly) equal numbers of predictions. */
  binning?: 'equal-width' | 'equal-mass';
  /** Row-sum tolerance for the probability check (default 1e-3). */
  tolerance?: number;
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Lower confidence edge of the bin, in [0, 1]. */
  readonly lower: number;
  /** Upper confidence edge of the bin, in [0, 1]. */
  readonly upper: number;
  /** Predictions in the bin. */
  readonly count: number;
  /** Mean top-label confidence in the bin (NaN when empty). */
  readonly confidence: number;
  /** Fraction correct in the bin (NaN when empty). */
  readonly accuracy: number;
}

/** Reliability-diagram data with the summary errors. */
export interface ReliabilityDiagram {
  /** The bins in increasing confidence, empty ones included. */
  readonly bins: readonly ReliabilityBin[];
  /** Σ_b (n_b / n) |acc_b − conf_b|. */
  readonly ece: number;
  /** max_b |acc_b − conf_b| over non-empty bins. */
  readonly mce: number;
  /** Overall accuracy (fraction of correct top-label predictions). */
  readonly accuracy: number;
  /** Mean top-label confidence over all predictions. */
  readonly confidence: number;
  /** How the bin edges were chosen: equal widths on [0, 1] or equal counts per bin. */
  readonly binning: 'equal-width' | 'equal-mass';
}

/**
 * Bin top-label confidences and compare them with accuracy.
 *
 * @param probs - predicted class probabilities `[n, C]` (rows summing to 1) or binary P(class 1) `[n]`; a tensor is read, not disposed.
 * @param labels - true class of each row, `[n]` integers in `0..C-1` (tensor not disposed, or array).
 * @param options - `bins` (default 15), `binning` (`'equal-width'`, default, or `'equal-mass'`) and `tolerance` of the row-sum check (default 1e-3); see {@link CalibrationOptions}.
 *
 * @throws {@link @nde/core!InvalidArgumentError} for bad `bins`, probabilities not summing to 1, or labels out of range.
 *
 * @example
 * ```ts
 * const diagram = await reliabilityDiagram(probs, labels, { bins: 10, binning: 'equal-mass' });
 * console.log(diagram.ece, diagram.bins.map((b) => b.accuracy));
 * ```
 */
export async function reliabilityDiagram(
  probs: ProbabilitiesLike,
  labels: LabelsLike,
  options: CalibrationOptions = {},
): Promise<ReliabilityDiagram> {
  const { bins = 15, binning = 'equal-width', tolerance = 1e-3 } = options;
  if (!(Number.isInteger(bins) && bins >= 1))
    throw new InvalidArgumentError('bins', `must be a positive integer (got ${bins}).`, 'e.g. bins: 15.');
  if (binning !== 'equal-width' && binning !== 'equal-mass')
    throw new InvalidArgumentError('binning', `is '${String(binning)}'.`, "Use 'equal-width' or 'equal-mass'.");
  const { n, classes, p } = await readProbabilities(probs, { tolerance });
  const y = await readLabels(labels, n, classes);
  const conf = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if ((p[i * classes + j] as number) > (p[i * classes + best] as number)) best = j;
    conf[i] = p[i * classes + best] as number;
    correct[i] = best === y[i] ? 1 : 0;
  }
  const binOf = new Int32Array(n);
  const edges: number[] = [];
  if (binning === 'equal-width') {
    for (let b = 0; b <= bins; b++) edges.push(b / bins);
    for (let i = 0; i < n; i++) binOf[i] = Math.min(bins - 1, Math.max(0, Math.ceil((conf[i] as number) * bins) - 1));
  } else {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (conf[a] as number) - (conf[b] as number));
    edges.push(0);
    for (let b = 0; b < bins; b++) {
      const lo = Math.floor((b * n) / bins);
      const hi = Math.floor(((b + 1) * n) / bins);
      for (let k = lo; k < hi; k++) binOf[order[k] as number] = b;
      edges.push(
        b === bins - 1
          ? 1
          : hi > 0 && hi < n
            ? 0.5 * ((conf[order[hi - 1] as number] as number) + (conf[order[hi] as number] as number))
            : (edges[edges.length - 1] as number),
      );
    }
  }
  const count = new Float64Array(bins);
  const sumConf = new Float64Array(bins);
  const sumAcc = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = binOf[i] as number;
    count[b] = (count[b] as number) + 1;
    sumConf[b] = (sumConf[b] as number) + (conf[i] as number);
    sumAcc[b] = (sumAcc[b] as number) + (correct[i] as number);
  }
  let ece = 0;
  let mce = 0;
  let totalAcc = 0;
  let totalConf = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    const confidence = c ? (sumConf[b] as number) / c : NaN;
    const accuracy = c ? (sumAcc[b] as number) / c : NaN;
    if (c) {
      const gap = Math.abs(accuracy - confidence);
      ece += (c / n) * gap;
      mce = Math.max(mce, gap);
    }
    totalAcc += sumAcc[b] as number;
    totalConf += sumConf[b] as number;
    out.push({ lower: edges[b] as number, upper: edges[b + 1] as number, count: c, confidence, accuracy });
  }
  return { bins: out, ece, mce, accuracy: totalAcc / n, confidence: totalConf / n, binning };
}

/**
 * Expected calibration error (top-label), with equal-width (default) or equal-mass bins.
 *
 * @param probs - predicted class probabilities `[n, C]` or binary `[n]`, as for {@link reliabilityDiagram} (a tensor is not disposed).
 * @param labels - true class of each row, `[n]` integers in `0..C-1`.
 * @param options - `bins`, `binning` and `tolerance`, as for {@link reliabilityDiagram}.
 *
 * @example
 * ```ts
 * const ece = await expectedCalibrationError(tf.softmax(logits), labels, { bins: 15 });
 * ```
 */
export async function expectedCalibrationError(
  probs: ProbabilitiesLike,
  labels: LabelsLike,
  options: CalibrationOptions = {},
): Promise<number> {
  return (await reliabilityDiagram(probs, labels, options)).ece;
}

/**
 * Maximum calibration error: the largest |accuracy − confidence| over non-empty bins.
 *
 * @param probs - predicted class probabilities `[n, C]` or binary `[n]`, as for {@link reliabilityDiagram} (a tensor is not disposed).
 * @param labels - true class of each row, `[n]` integers in `0..C-1`.
 * @param options - `bins`, `binning` and `tolerance`, as for {@link reliabilityDiagram}.
 *
 * @example
 * ```ts
 * const mce = await maxCalibrationError(probs, labels, { binning: 'equal-mass' });
 * ```
 */
export async function maxCalibrationError(probs: ProbabilitiesLike, labels: LabelsLike, options: CalibrationOptions = {}): Promise<number> {
  return (await reliabilityDiagram(probs, labels, options)).mce;
}
