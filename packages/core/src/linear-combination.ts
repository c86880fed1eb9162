/**
 * `Σ c_j x_j` as one kernel on cpu and wasm. Runge–Kutta stages are linear combinations of earlier
 * stages; as tfjs ops each costs one `mul` per term and an `addN` (a dopri5 step: ~34 kernels).
 */
import * as tf from '@tensorflow/tfjs';
import { registerHostKernel, runHostKernel } from './host-kernels.js';

/** The kernel's name in tfjs's registry. */
export const LINEAR_COMBINATION_KERNEL = 'NdeLinearCombination';

interface Attrs {
  readonly coeffs: readonly number[];
}

registerHostKernel<Attrs>(
  LINEAR_COMBINATION_KERNEL,
  (shapes) => shapes[0] as number[],
  // float64 products, one rounding per term.
  (out, xs, { coeffs }) => {
    const n = out.length;
    const x0 = xs[0] as ArrayLike<number>;
    const c0 = coeffs[0] as number;
    if (c0 === 1) for (let i = 0; i < n; i++) out[i] = x0[i] as number;
    else for (let i = 0; i < n; i++) out[i] = c0 * (x0[i] as number);
    for (let j = 1; j < xs.length; j++) {
      const x = xs[j] as ArrayLike<number>;
      const c = coeffs[j] as number;
      for (let i = 0; i < n; i++) out[i] = (out[i] as number) + c * (x[i] as number);
    }
  },
);

/**
 * `Σ cs[j] xs[j]` as one kernel when the backend has it and the terms share one shape; undefined
 * otherwise (the caller uses ops).
 * @param cs - the coefficients (one per term)
 * @param xs - the terms
 * @internal
 */
export function fusedLinearCombination(cs: readonly number[], xs: readonly tf.Tensor[]): tf.Tensor | undefined {
  const first = xs[0];
  if (!first || xs.length < 2 || !xs.every((x) => tf.util.arraysEqual(x.shape, first.shape))) return undefined;
  return runHostKernel<Attrs>(LINEAR_COMBINATION_KERNEL, xs, { coeffs: [...cs] });
}
