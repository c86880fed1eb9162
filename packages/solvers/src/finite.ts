/** "Is the state finite?", the question the loop asks of y0 and (checkFinite) after every fixed step. */
import * as tf from '@tensorflow/tfjs';
import { fusedAllFinite } from '@nde/core';

/**
 * 1 when every element of every leaf is finite, else 0 (a float32 scalar): one fused kernel on cpu
 * and wasm, IsFinite/All per leaf elsewhere.
 * @param leaves - the tensors to check
 * @internal
 */
export function allFinite(leaves: readonly tf.Tensor[]): tf.Tensor {
  const fused = fusedAllFinite(leaves);
  if (fused) return fused;
  const parts = leaves.map((x) => tf.all(tf.isFinite(x)).cast('float32'));
  return parts.length === 1 ? (parts[0] as tf.Tensor) : tf.min(tf.stack(parts));
}
