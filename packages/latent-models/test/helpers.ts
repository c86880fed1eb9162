/** Tiny irregular batches for the tests. */
import * as tf from '@tensorflow/tfjs';
import type { IrregularBatch } from '../src/index.js';

/** A [B, T, D] batch with a deterministic pattern and a mask that drops some entries. */
export function tinyBatch(B = 3, T = 5, D = 2, times?: number[]): IrregularBatch {
  const v: number[] = [];
  const m: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        v.push(Math.sin(0.7 * t + b) * (d + 1) * 0.5);
        m.push((b + t + d) % 3 === 0 && t > 0 ? 0 : 1);
      }
    }
  }
  return {
    times: times ?? Array.from({ length: T }, (_, i) => 0.1 + 0.3 * i + 0.05 * (i % 2)),
    values: tf.tensor3d(v, [B, T, D]),
    mask: tf.tensor3d(m, [B, T, D]),
  };
}

/** The same batch with every masked-out value replaced by garbage. */
export function withGarbage(batch: IrregularBatch, garbage = 1e3): IrregularBatch {
  const values = tf.tidy(() => tf.add(tf.mul(batch.values, batch.mask), tf.mul(tf.sub(1, batch.mask), garbage))) as tf.Tensor3D;
  return { times: batch.times, values, mask: batch.mask };
}
