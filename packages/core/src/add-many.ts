/**
 * `tf.addN` that is right on every backend. tfjs-webgpu's AddN binds one storage buffer per input
 * plus the output, and WebGPU pipelines get 8 by default: with 8 or more inputs the pipeline is
 * invalid, Dawn only logs it, and the result is whatever a pooled buffer held (a silent wrong
 * answer; the failed command buffer can take neighbouring kernels with it). On WebGPU the sum is
 * therefore taken in groups of at most 7.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors.js';

/** Inputs one tfjs-webgpu AddN can take (8 storage buffers, one for the output). */
export const WEBGPU_ADD_N_INPUTS = 7;

/**
 * The elementwise sum of tensors of one shape; one tensor comes back as it is (not a copy).
 *
 * @param parts - at least one tensor, all of one shape
 * @example
 * ```ts
 * const total = addMany(leaves.map((x) => tf.sum(tf.square(x))));
 * ```
 */
export function addMany<T extends tf.Tensor>(parts: readonly T[]): T {
  if (parts.length === 0) throw new ShapeError('parts', 'needs at least one tensor to sum.');
  if (parts.length === 1) return parts[0] as T;
  if (parts.length <= WEBGPU_ADD_N_INPUTS || tf.getBackend() !== 'webgpu') return tf.addN(parts as T[]);
  return tf.tidy(() => {
    let level: tf.Tensor[] = [...parts];
    while (level.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < level.length; i += WEBGPU_ADD_N_INPUTS) {
        const group = level.slice(i, i + WEBGPU_ADD_N_INPUTS);
        next.push(group.length === 1 ? (group[0] as tf.Tensor) : tf.addN(group));
      }
      level = next;
    }
    return level[0] as T;
  });
}
