/**
 * Small building blocks shared by the generators and the discriminator: initialisers, convolution and
 * transposed-convolution modules (NHWC, tfjs filter layouts) and batch normalisation. Every block is a
 * {@link Module} with explicit `namedParameters()`.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, assertPositiveInteger, collectParameters, type Module } from '@nde/core';
import { conv2d, conv2dTranspose } from '@nde/nn';

/**
 * Number of scalars in a module's parameters.
 *
 * @param module - Any module; the sizes of its `parameters()` are summed.
 * @returns The total element count of every variable of the module.
 * @example
 * ```ts
 * parameterCount(new Linear({ inFeatures: 100, outFeatures: 100 })); // 10100
 * ```
 */
export function parameterCount(module: Module): number {
  return module.parameters().reduce((n, v) => n + v.size, 0);
}

/**
 * Deprecated alias of `@nde/core`'s `assertPositiveInteger` (same check and message); removed in the next
 * minor release.
 */
export { assertPositiveInteger as assertPositiveInt } from '@nde/core';

/**
 * A `tf.Variable` drawn uniformly from `[-bound, bound]` with a fixed seed.
 *
 * @param shape - Shape of the variable.
 * @param bound - Half-width of the uniform range (> 0).
 * @param seed - Seed of `tf.randomUniform`; the same seed gives the same values.
 * @returns A new trainable float32 variable owned by the caller (dispose it, or the module holding it).
 * @example
 * ```ts
 * const w = uniformVariable([3, 4], 0.5, 7);
 * ```
 */
export function uniformVariable(shape: number[], bound: number, seed: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', seed), true));
}

/**
 * Xavier/Glorot-uniform bound `gain·√(6/(fanIn+fanOut))` (PyTorch's `xavier_uniform_`).
 *
 * @param fanIn - Input width of the layer.
 * @param fanOut - Output width of the layer.
 * @param gain - Scale of the bound (default 1; √2 for the paper's ODE/SDE layers).
 * @returns The half-width of the uniform init range.
 * @example
 * ```ts
 * xavierBound(100, 100, Math.SQRT2); // the paper's ODE vector-field init
 * ```
 */
export function xavierBound(fanIn: number, fanOut: number, gain = 1): number {
  return gain * Math.sqrt(6 / (fanIn + fanOut));
}

/** Options of {@link Dense}. */
export interface DenseOptions {
  /** Input width (last axis of `x`). */
  inFeatures: number;
  /** Output width. */
  outFeatures: number;
  /** Seed of the init. */
  seed: number;
  /** `xavier` (gain √2, the paper's ODE/SDE init) or `lecun` (uniform ±√(3/in)); default `lecun`. */
  init?: 'xavier' | 'lecun';
}

/**
 * `y = x W + b` (`W: [in, out]`), with the initialisers the paper's code uses.
 *
 * @example
 * ```ts
 * const f = new Dense({ inFeatures: 100, outFeatures: 100, seed: 0, init: 'xavier' });
 * const y = f.apply(tf.zeros([8, 100])); // [8, 100]
 * ```
 */
export class Dense extends BaseModule {
  /** Weight `[inFeatures, outFeatures]`. */
  readonly weight: tf.Variable;
  /** Bias `[outFeatures]`, uniform ±1/√inFeatures at init. */
  readonly bias: tf.Variable;
  /** Input width. */
  readonly inFeatures: number;
  /** Output width. */
  readonly outFeatures: number;
  constructor({ inFeatures, outFeatures, seed, init = 'lecun' }: DenseOptions) {
    super();
    assertPositiveInteger('inFeatures', inFeatures);
    assertPositiveInteger('outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = init === 'xavier' ? xavierBound(inFeatures, outFeatures, Math.SQRT2) : Math.sqrt(3 / inFeatures);
    this.weight = uniformVariable([inFeatures, outFeatures], bound, seed);
    this.bias = uniformVariable([outFeatures], 1 / Math.sqrt(inFeatures), seed + 7919);
  }
  /** `{ weight, bias }`. The variables themselves (owned by this module and released by `dispose()`; do not dispose them separately). */
  namedParameters(): Record<string, tf.Variable> {
    return { weight: this.weight, bias: this.bias };
  }
  /** `x: [n, in]` → `[n, out]`. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(
      () => tf.add(tf.matMul(x.reshape([-1, this.inFeatures]) as tf.Tensor2D, this.weight as tf.Tensor2D), this.bias) as tf.Tensor2D,
    );
  }
}

/**
 * Batch normalisation with learnable scale and shift, always using the statistics of the batch it is
 * given (as a GAN generator in training mode; evaluate with batches of a similar size).
 *
 * @example
 * ```ts
 * const bn = new BatchNorm(64);
 * const y = bn.apply(tf.randomNormal([8, 4, 4, 64]), [0, 1, 2]);
 * ```
 */
export class BatchNorm extends BaseModule {
  /** Scale `[channels]`, initialised to 1. */
  readonly gamma: tf.Variable;
  /** Shift `[channels]`, initialised to 0. */
  readonly beta: tf.Variable;
  constructor(
    /** Size of the last (channel) axis of the inputs. */
    readonly channels: number,
    /** Added to the batch variance before the square root (default 1e-5, as PyTorch). */
    readonly epsilon = 1e-5,
  ) {
    super();
    assertPositiveInteger('channels', channels);
    this.gamma = tf.variable(tf.ones([channels]), true);
    this.beta = tf.variable(tf.zeros([channels]), true);
  }
  /** `{ gamma, beta }`. The variables themselves (owned by this module and released by `dispose()`; do not dispose them separately). */
  namedParameters(): Record<string, tf.Variable> {
    return { gamma: this.gamma, beta: this.beta };
  }
  /** Normalise over `axes` (every axis but the last channel axis). */
  apply(x: tf.Tensor, axes: number[]): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, axes, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon))), this.gamma), this.beta);
    });
  }
}

/** Options of {@link Conv2d} and {@link ConvTranspose2d}. */
export interface ConvOptions {
  /** Channels of the input (last axis, NHWC). */
  inChannels: number;
  /** Channels of the output. */
  outChannels: number;
  /** Kernel `[kh, kw]` (or one number for square kernels). */
  kernel: number | [number, number];
  /** Strides `[sh, sw]` (default 1). */
  strides?: number | [number, number];
  /** Seed of the uniform ±√(3/fanIn) init. */
  seed: number;
}

const pair = (x: number | [number, number]): [number, number] => (typeof x === 'number' ? [x, x] : x);

/**
 * 2-D convolution, NHWC, `'same'` padding, filter `[kh, kw, in, out]` plus bias (`@nde/nn`'s `conv2d`, whose
 * filter gradient needs no `Conv2DBackpropFilter` kernel, so it trains on wasm too).
 *
 * @example
 * ```ts
 * const conv = new Conv2d({ inChannels: 1, outChannels: 16, kernel: 4, strides: 2, seed: 0 });
 * conv.apply(tf.zeros([2, 32, 32, 1])); // [2, 16, 16, 16]
 * ```
 */
export class Conv2d extends BaseModule {
  /** Filter `[kh, kw, inChannels, outChannels]`, uniform ±√(3/fanIn) at init. */
  readonly filter: tf.Variable;
  /** Bias `[outChannels]`. */
  readonly bias: tf.Variable;
  /** Strides `[sh, sw]`. */
  readonly strides: [number, number];
  constructor(o: ConvOptions) {
    super();
    assertPositiveInteger('inChannels', o.inChannels);
    assertPositiveInteger('outChannels', o.outChannels);
    const [kh, kw] = pair(o.kernel);
    this.strides = pair(o.strides ?? 1);
    const fanIn = kh * kw * o.inChannels;
    this.filter = uniformVariable([kh, kw, o.inChannels, o.outChannels], Math.sqrt(3 / fanIn), o.seed);
    this.bias = uniformVariable([o.outChannels], 1 / Math.sqrt(fanIn), o.seed + 7919);
  }
  /** `{ filter, bias }`. The variables themselves (owned by this module and released by `dispose()`; do not dispose them separately). */
  namedParameters(): Record<string, tf.Variable> {
    return { filter: this.filter, bias: this.bias };
  }
  /** `x: [b, H, W, inChannels]` → `[b, ⌈H/sh⌉, ⌈W/sw⌉, outChannels]` (a new tensor owned by the caller). */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.add(conv2d(x, this.filter, this.strides, 'same'), this.bias) as tf.Tensor4D);
  }
}

/**
 * 2-D transposed convolution, NHWC, filter `[kh, kw, out, in]` (tfjs layout) plus bias. With kernel 4,
 * stride 2 and `'same'` padding it doubles the size exactly as PyTorch's `ConvTranspose2d(k=4, s=2, p=1)`
 * (`@nde/nn`'s `conv2dTranspose`: trains on wasm too).
 *
 * @example
 * ```ts
 * const up = new ConvTranspose2d({ inChannels: 64, outChannels: 32, kernel: 4, strides: 2, seed: 0 });
 * up.apply(tf.zeros([2, 4, 4, 64])); // [2, 8, 8, 32]
 * ```
 */
export class ConvTranspose2d extends BaseModule {
  /** Filter `[kh, kw, outChannels, inChannels]` (tfjs' transposed-convolution layout). */
  readonly filter: tf.Variable;
  /** Bias `[outChannels]`. */
  readonly bias: tf.Variable;
  /** Strides `[sh, sw]`: the upsampling factors of H and W. */
  readonly strides: [number, number];
  /** Channels of the output. */
  readonly outChannels: number;
  constructor(o: ConvOptions) {
    super();
    assertPositiveInteger('inChannels', o.inChannels);
    assertPositiveInteger('outChannels', o.outChannels);
    const [kh, kw] = pair(o.kernel);
    this.strides = pair(o.strides ?? 1);
    this.outChannels = o.outChannels;
    const fanIn = (kh * kw * o.inChannels) / (this.strides[0] * this.strides[1]);
    this.filter = uniformVariable([kh, kw, o.outChannels, o.inChannels], Math.sqrt(3 / fanIn), o.seed);
    this.bias = uniformVariable([o.outChannels], 1 / Math.sqrt(fanIn), o.seed + 7919);
  }
  /** `{ filter, bias }`. The variables themselves (owned by this module and released by `dispose()`; do not dispose them separately). */
  namedParameters(): Record<string, tf.Variable> {
    return { filter: this.filter, bias: this.bias };
  }
  /** `x: [b, H, W, inChannels]` → `[b, H·sh, W·sw, outChannels]` (a new tensor owned by the caller). */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w] = x.shape;
    const out: [number, number, number, number] = [b, h * this.strides[0], w * this.strides[1], this.outChannels];
    return tf.tidy(() => tf.add(conv2dTranspose(x, this.filter, out, this.strides, 'same'), this.bias) as tf.Tensor4D);
  }
}

/**
 * A list of modules as one module, parameters named `0.filter`, `1.gamma`, …
 *
 * @example
 * ```ts
 * const all = new ModuleList([conv, bn]);
 * all.parameters().length; // 4
 * ```
 */
export class ModuleList extends BaseModule {
  constructor(
    /** The modules, in order; their index is the parameter-name prefix. */
    readonly modules: readonly Module[],
  ) {
    super();
  }
  /** Every module's parameters under its index (`0.filter`, `1.gamma`, …); the modules' own variables. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters(Object.fromEntries(this.modules.map((m, i) => [String(i), m])));
  }
}
