/** Proper scoring rules and uncertainty: negative log-likelihood, Brier score, predictive entropy. */
import { readLabels, readProbabilities, type LabelsLike, type ProbabilitiesLike } from './validate.js';

/**
 * Mean negative log-likelihood `−(1/n) Σ log p_i[y_i]` (nats), with probabilities clipped at `eps` (default 1e-12).
 *
 * @param probs - predicted class probabilities `[n, C]` (rows summing to 1) or binary P(class 1) `[n]`; a tensor is read, not disposed.
 * @param labels - true class of each row, `[n]` integers in `0..C-1`.
 * @param options - `eps` (default 1e-12): the probability of the true class is clipped below at `eps` before the log, so a zero gives `−log eps`, not ∞.
 *
 * @example
 * ```ts
 * await negativeLogLikelihood([[0.5, 0.5]], [0]); // ln 2 ≈ 0.693
 * ```
 */
export async function negativeLogLikelihood(probs: ProbabilitiesLike, labels: LabelsLike, options: { eps?: number } = {}): Promise<number> {
  const { eps = 1e-12 } = options;
  const { n, classes, p } = await readProbabilities(probs);
  const y = await readLabels(labels, n, classes);
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(Math.max(p[i * classes + (y[i] as number)] as number, eps));
  return s / n;
}

/**
 * Multi-class Brier score `(1/n) Σ_i Σ_c (p_ic − 1[y_i = c])²` (range [0, 2]; for binary `[n]` input it is
 * twice the usual binary Brier score — pass `{ binary: true }` for `(1/n) Σ (p_i − y_i)²`).
 *
 * @param probs - predicted class probabilities `[n, C]` (rows summing to 1) or binary P(class 1) `[n]`; a tensor is read, not disposed.
 * @param labels - true class of each row, `[n]` integers in `0..C-1`.
 * @param options - `binary` (default false): with two classes, halve the score to the usual binary Brier score `(1/n) Σ (p_i − y_i)²`; ignored for more classes.
 *
 * @example
 * ```ts
 * await brierScore([[1, 0], [0.5, 0.5]], [0, 1]); // (0 + 0.5) / 2 = 0.25
 * ```
 */
export async function brierScore(probs: ProbabilitiesLike, labels: LabelsLike, options: { binary?: boolean } = {}): Promise<number> {
  const { binary = false } = options;
  const { n, classes, p } = await readProbabilities(probs);
  const y = await readLabels(labels, n, classes);
  let s = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < classes; c++) s += ((p[i * classes + c] as number) - (c === y[i] ? 1 : 0)) ** 2;
  return binary && classes === 2 ? s / n / 2 : s / n;
}

/**
 * Predictive entropy `−Σ_c p_c log p_c` (nats) of each prediction.
 *
 * @param probs - predicted class probabilities `[n, C]` (rows summing to 1) or binary P(class 1) `[n]`; a tensor is read, not disposed.
 *
 * @example
 * ```ts
 * await predictiveEntropy([[0.5, 0.5], [1, 0]]); // Float64Array [0.693, 0]
 * ```
 */
export async function predictiveEntropy(probs: ProbabilitiesLike): Promise<Float64Array> {
  const { n, classes, p } = await readProbabilities(probs);
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < classes; c++) {
      const q = p[i * classes + c] as number;
      if (q > 0) s -= q * Math.log(q);
    }
    h[i] = s;
  }
  return h;
}
