/**
 * Deprecated: the convolution modules of this package use `@nde/nn`'s `conv2d` / `conv2dTranspose`, whose
 * filter gradients need no `Conv2DBackpropFilter` kernel, so nothing has to be registered for wasm any more.
 * {@link useConvFilterGradients} still registers the same gradients globally for code that calls `tf.conv2d`
 * itself, for one release.
 */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError } from '@nde/core';
import { conv2dFilterGradient, type ConvPadding } from '@nde/nn';

/** Re-exported from `@nde/nn`; deprecated here (removed in the next minor release): import them from `@nde/nn`. */
export { conv2dFilterGradient, type ConvPadding } from '@nde/nn';

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
 * Deprecated (the package's modules no longer need it): register `Conv2D` and `Conv2DBackpropInput`
 * gradients that need no `Conv2DBackpropFilter` kernel, for code calling `tf.conv2d` directly on wasm.
 * Global and idempotent. Prefer `@nde/nn`'s `conv2d` / `conv2dTranspose`, which carry these gradients.
 *
 * @example
 * ```ts
 * useConvFilterGradients(); // tf.variableGrads through a raw tf.conv2d now works on wasm
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
