/**
 * "Is every element finite?" over several tensors, as one kernel on cpu and wasm. The loop asks it
 * after every fixed step (`checkFinite`); as tfjs ops it is IsFinite, All and Cast per leaf, and on
 * wasm IsFinite alone cost ~0.7 ms a step for 10 000 elements (a GBM Monte Carlo of 100 steps: 121 ms
 * with the check, 48 ms without).
 */
import type * as tf from '@tensorflow/tfjs';
import { registerHostKernel, runHostKernel } from './host-kernels.js';

/** The kernel's name in tfjs's registry. */
export const ALL_FINITE_KERNEL = 'NdeAllFinite';

registerHostKernel<Record<string, never>>(
  ALL_FINITE_KERNEL,
  () => [],
  (out, xs) => {
    out[0] = 1;
    for (const x of xs) {
      for (let i = 0; i < x.length; i++) {
        const v = x[i] as number;
        // v - v is NaN for NaN and ±Infinity, 0 otherwise.
        if (v - v !== 0) {
          out[0] = 0;
          return;
        }
      }
    }
  },
);

/**
 * 1 when every element of every tensor is finite, else 0 (a float32 scalar), as one kernel where the
 * backend has it; undefined otherwise (the caller uses ops).
 * @param xs - float32 tensors of any shapes
 * @internal
 */
export function fusedAllFinite(xs: readonly tf.Tensor[]): tf.Scalar | undefined {
  if (xs.length === 0 || xs.some((x) => x.dtype !== 'float32')) return undefined;
  return runHostKernel<Record<string, never>>(ALL_FINITE_KERNEL, xs, {}) as tf.Scalar | undefined;
}
