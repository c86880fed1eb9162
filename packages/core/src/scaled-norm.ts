/**
 * The step-size controllers' scaled error norm, ‖e / (atol + rtol · max(|y0|, |y1|))‖ (RMS or max),
 * as one kernel on cpu and wasm: as tfjs ops it is about ten kernels per step.
 */
import * as tf from '@tensorflow/tfjs';
import { registerHostKernel, runHostKernel } from './host-kernels.js';

/** The kernel's name in tfjs's registry. */
export const SCALED_NORM_KERNEL = 'NdeScaledNorm';

interface Attrs {
  readonly rtol: number;
  readonly atol: number;
  readonly max: boolean;
}

registerHostKernel<Attrs>(
  SCALED_NORM_KERNEL,
  () => [],
  (out, [e, a, b], { rtol, atol, max }) => {
    const x = e as ArrayLike<number>;
    const y0 = a as ArrayLike<number>;
    const y1 = b as ArrayLike<number>;
    let acc = 0;
    for (let i = 0; i < x.length; i++) {
      const r = (x[i] as number) / (atol + rtol * Math.max(Math.abs(y0[i] as number), Math.abs(y1[i] as number)));
      // NaN must survive (Math.max drops it): a non-finite step is rejected.
      if (r !== r) {
        acc = NaN;
        break;
      }
      acc = max ? Math.max(acc, Math.abs(r)) : acc + r * r;
    }
    out[0] = max ? acc : Math.sqrt(acc / x.length);
  },
);

/**
 * The scaled RMS (or max) norm of one leaf with scalar tolerances, as one kernel when the backend has
 * it and the three tensors share one shape; undefined otherwise (the caller uses ops).
 * @param e - the error estimate
 * @param y0 - the state before the step
 * @param y1 - the state after it
 * @param rtol - relative tolerance
 * @param atol - absolute tolerance
 * @param kind - `'rms'` or `'max'`
 * @internal
 */
export function fusedScaledNorm(
  e: tf.Tensor,
  y0: tf.Tensor,
  y1: tf.Tensor,
  rtol: number,
  atol: number,
  kind: 'rms' | 'max',
): tf.Scalar | undefined {
  if (!tf.util.arraysEqual(e.shape, y0.shape) || !tf.util.arraysEqual(e.shape, y1.shape) || e.size === 0) return undefined;
  return runHostKernel<Attrs>(SCALED_NORM_KERNEL, [e, y0, y1], { rtol, atol, max: kind === 'max' }) as tf.Scalar | undefined;
}
