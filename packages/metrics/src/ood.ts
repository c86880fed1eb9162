/** Out-of-distribution detection: AUROC from scores. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';

/** Scores as a tensor `[n]` or an array. */
export type ScoresLike = tf.Tensor | readonly number[];

async function read(argument: string, s: ScoresLike): Promise<Float64Array> {
  const v = Float64Array.from(s instanceof tf.Tensor ? await s.data() : s);
  if (v.length === 0) throw new InvalidArgumentError(argument, 'is empty.', 'Pass at least one score.');
  v.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new InvalidArgumentError(argument, `entry ${i} is ${x}.`, 'Scores must be finite.');
  });
  return v;
}

/**
 * AUROC of separating out-of-distribution from in-distribution samples by a score where HIGHER means
 * "more OOD" (e.g. predictive entropy, or −max probability): `P(s_ood > s_in) + ½ P(s_ood = s_in)`,
 * computed exactly by ranks (Mann–Whitney U, ties averaged). 0.5 is chance, 1 is perfect.
 *
 * @param inScores - scores of the in-distribution samples `[n]` (finite, higher = more OOD), as a tensor (read, not disposed) or an array.
 * @param outScores - scores of the out-of-distribution samples `[m]`, with the same convention as `inScores`.
 *
 * @example
 * ```ts
 * const auroc = await oodAuroc(await predictiveEntropy(pIn), await predictiveEntropy(pOut));
 * ```
 */
export async function oodAuroc(inScores: ScoresLike, outScores: ScoresLike): Promise<number> {
  const a = await read('inScores', inScores);
  const b = await read('outScores', outScores);
  const all = [...Array.from(a, (v) => ({ v, ood: false })), ...Array.from(b, (v) => ({ v, ood: true }))].sort((x, y) => x.v - y.v);
  let rankSumOod = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && (all[j] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const rank = (i + 1 + j) / 2; // average of ranks i+1..j
    for (let k = i; k < j; k++) if ((all[k] as { ood: boolean }).ood) rankSumOod += rank;
    i = j;
  }
  const u = rankSumOod - (b.length * (b.length + 1)) / 2;
  return u / (a.length * b.length);
}
