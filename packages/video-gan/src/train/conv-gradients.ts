/**
 * Opt-in convolution gradients for backends without a `Conv2DBackpropFilter` kernel (tfjs-wasm).
 * The filter gradient of a (strided) 2-D convolution is itself a convolution: with the batch and
 * channel axes swapped, `∂L/∂K[a,c,i,o] = Σ_{b,y,x} x̃[b, y·s+a, x·s+c, i] · dy[b,y,x,o]` is a stride-1
 * `conv2d` of the padded input with `dy` as filter, dilated by the stride. Nothing is registered on
 * import: call {@link useConvFilterGradients} once, before training, to replace the gradients of
 * `Conv2D` and `Conv2DBackpropInput` (transposed convolution) globally.
 */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError } from '@nde/core';

/** Padding mode of the 2-D convolutions these gradients serve (as in `tf.conv2d`). */
export type ConvPadding = 'same' | 'valid';

function padAmounts(size: number, kernel: number, stride: number, pad: ConvPadding): [number, number] {
  if (pad === 'valid') return [0, 0];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * The filter gradient `[kh, kw, ci, co]` of `conv2d(x, K, strides, pad)` given the upstream `dy`, using
 * only `conv2d` (fast on wasm). NHWC, dilation 1.
 *
 * @param x - Input of the convolution `[b, H, W, ci]`.
 * @param dy - Upstream gradient, the convolution's output shape `[b, H', W', co]`.
 * @param filterShape - Filter shape `[kh, kw, ci, co]`.
 * @param strides - Strides `[sh, sw]` of the convolution.
 * @param pad - Padding of the convolution, `'same'` or `'valid'`.
 * @returns A new tensor `[kh, kw, ci, co]` owned by the caller.
 * @example
 * ```ts
 * const dK = conv2dFilterGradient(x, dy, [4, 4, 1, 16], [2, 2], 'same');
 * ```
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  strides: [number, number],
  pad: ConvPadding,
): tf.Tensor4D {
  const [kh, kw, ci, co] = filterShape;
  return tf.tidy(() => {
    const [ph0, ph1] = padAmounts(x.shape[1], kh, strides[0], pad);
    const [pw0, pw1] = padAmounts(x.shape[2], kw, strides[1], pad);
    const xp =
      ph0 + ph1 + pw0 + pw1 > 0
        ? x.pad([
            [0, 0],
            [ph0, ph1],
            [pw0, pw1],
            [0, 0],
          ])
        : x;
    const xt = xp.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [ci, Hp, Wp, b]
    const f = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [h, w, b, co]
    const g = tf.conv2d(xt, f, 1, 'valid', 'NHWC', strides); // [ci, ≥kh, ≥kw, co]
    return g.slice([0, 0, 0, 0], [ci, kh, kw, co]).transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: ConvPadding | number;
  dilations?: number | [number, number];
  dataFormat?: string;
}

function checkAttrs(a: ConvAttrs): { strides: [number, number]; pad: ConvPadding } {
  const d = a.dilations ?? 1;
  if ((typeof d === 'number' ? d : Math.max(...d)) !== 1)
    throw new UnsupportedError('dilations', 'the conv2d-based filter gradient supports dilation 1 only.');
  if (a.pad !== 'same' && a.pad !== 'valid')
    throw new UnsupportedError(
      'pad',
      `explicit padding (${JSON.stringify(a.pad)}) is not supported by the conv2d-based gradient.`,
      "Use 'same' or 'valid'.",
    );
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC')
    throw new UnsupportedError('dataFormat', `${a.dataFormat} is not supported.`, 'Use NHWC.');
  const s = a.strides;
  return { strides: typeof s === 'number' ? [s, s] : s, pad: a.pad };
}

let registered = false;

/**
 * Register `Conv2D` and `Conv2DBackpropInput` gradients that need no `Conv2DBackpropFilter` kernel, so
 * GANs with (transposed) convolutions train on tfjs-wasm. Global and idempotent; the gradients are exact
 * on every backend (tested against cpu's built-in ones), so it is harmless to call it on cpu too.
 *
 * @example
 * ```ts
 * import { useBackend } from '@nde/core';
 * await useBackend('wasm');
 * useConvFilterGradients();   // now tf.variableGrads through conv2d / conv2dTranspose works on wasm
 * ```
 */
export function useConvFilterGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad } = checkAttrs(attrs as unknown as ConvAttrs);
      const dy4 = dy as tf.Tensor4D;
      return {
        x: () => tf.conv2dTranspose(dy4, filter, x.shape, strides, pad),
        filter: () => conv2dFilterGradient(x, dy4, filter.shape, strides, pad),
      };
    },
  });
  tf.registerGradient({
    kernelName: 'Conv2DBackpropInput',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad } = checkAttrs(attrs as unknown as ConvAttrs);
      const g = ddx as tf.Tensor4D;
      return {
        dy: () => tf.conv2d(g, filter, strides, pad),
        filter: () => conv2dFilterGradient(g, dy, filter.shape, strides, pad),
      };
    },
  });
}
