/**
 * Modules hold their parameters explicitly (the equinox lesson): adjoints and optimisers get
 * them from `namedParameters()`; nothing is found by scanning global state.
 *
 * @example
 * ```ts
 * const f = new MLP({ sizes: [2, 50, 2], activation: 'tanh', seed: 0 });
 * const dy = f.apply(y);                       // [batch, 2]
 * const vars = f.parameters();                 // tf.Variable[] for tf.grads / optimizers
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { canFuseDense, fusedDense, type FusableActivation } from './fused-dense.js';
import { InvalidArgumentError, ShapeError, UnknownMethodError } from './errors.js';

/** Anything that owns trainable variables. */
export interface Module {
  /** Parameters by a stable, readable name (e.g. `layers.0.weight`). */
  namedParameters(): Record<string, tf.Variable>;
  /** The same parameters as a list, in name order. */
  parameters(): tf.Variable[];
  /** Release every variable. */
  dispose(): void;
}

/** Base class giving `parameters()` and `dispose()` from `namedParameters()`. */
export abstract class BaseModule implements Module {
  abstract namedParameters(): Record<string, tf.Variable>;
  parameters(): tf.Variable[] {
    const named = this.namedParameters();
    return Object.keys(named).map((k) => named[k] as tf.Variable);
  }
  dispose(): void {
    this.parameters().forEach((v) => v.dispose());
  }
}

/**
 * Collect parameters of child modules under prefixes: `{ drift: f, diffusion: g }` → `drift.layers.0.weight`, …
 *
 * @param children - sub-modules by name
 */
export function collectParameters(children: Record<string, Module>): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const [prefix, child] of Object.entries(children)) {
    for (const [name, v] of Object.entries(child.namedParameters())) out[`${prefix}.${name}`] = v;
  }
  return out;
}

/** Activation by name or as a function. */
export type Activation = 'tanh' | 'relu' | 'softplus' | 'sigmoid' | 'elu' | 'swish' | 'identity' | ((x: tf.Tensor) => tf.Tensor);

const ACTIVATIONS: Record<Exclude<Activation, (x: tf.Tensor) => tf.Tensor>, (x: tf.Tensor) => tf.Tensor> = {
  tanh: (x) => fastTanh(x),
  relu: (x) => tf.relu(x),
  softplus: (x) => tf.softplus(x),
  sigmoid: (x) => tf.sigmoid(x),
  elu: (x) => tf.elu(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  identity: (x) => x,
};

/** Above this many elements the sigmoid form of tanh is faster on wasm (measured: 3× at 16k, 12× at 262k). */
const FAST_TANH_MIN_SIZE = 8192;

/**
 * tanh in the fastest accurate form for the backend: on wasm, for tensors of 8192 elements or more,
 * 2σ(2x) − 1 (tfjs-backend-wasm's tanh costs ~20 ns an element, its sigmoid ~4; the two agree to 2e-7
 * absolute); tfjs's own tanh otherwise.
 *
 * @param x - any float tensor.
 * @example
 * ```ts
 * const y = fastTanh(tf.randomNormal([1024, 256]));
 * ```
 */
export function fastTanh(x: tf.Tensor): tf.Tensor {
  if (x.size < FAST_TANH_MIN_SIZE || tf.getBackend() !== 'wasm') return tf.tanh(x);
  return tf.tidy(() => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1));
}

/**
 * Resolve an {@link Activation} to a function.
 *
 * @param a - the activation's name
 */
export function activation(a: Activation): (x: tf.Tensor) => tf.Tensor {
  if (typeof a === 'function') return a;
  const f = ACTIVATIONS[a];
  if (!f) throw new UnknownMethodError('activation', String(a), Object.keys(ACTIVATIONS));
  return f;
}

let unnamedSeed = 1;

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Input width: size of the last dimension of `x`. */
  inFeatures: number;
  /** Output width: size of the last dimension of the result. */
  outFeatures: number;
  /** Include a bias (default true). */
  bias?: boolean;
  /** Seed of the uniform(-1/√in, 1/√in) init (PyTorch's default). */
  seed?: number;
  /** Initial weight `[in, out]` (tfjs layout) — overrides the random init. */
  weight?: tf.Tensor2D;
  /** Initial bias `[out]`. */
  biasInit?: tf.Tensor1D;
}

/** `y = x W + b` with `W: [in, out]`. */
export class Linear extends BaseModule {
  /** Trainable weight `[inFeatures, outFeatures]` (tfjs layout, the transpose of PyTorch's). */
  readonly weight: tf.Variable;
  /** Trainable bias `[outFeatures]`, or `undefined` when built with `bias: false`. */
  readonly bias: tf.Variable | undefined;
  /** Input width: size of the last dimension of `x`. */
  readonly inFeatures: number;
  /** Output width: size of the last dimension of the result. */
  readonly outFeatures: number;

  constructor(opts: LinearOptions) {
    super();
    const { inFeatures, outFeatures } = opts;
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new InvalidArgumentError('inFeatures/outFeatures', `must be positive integers (got ${inFeatures}, ${outFeatures}).`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const seed = opts.seed ?? unnamedSeed++;
    const bound = 1 / Math.sqrt(inFeatures);
    const w = opts.weight ?? tf.randomUniform([inFeatures, outFeatures], -bound, bound, 'float32', seed);
    if (w.shape[0] !== inFeatures || w.shape[1] !== outFeatures) {
      throw new ShapeError('weight', `expected [${inFeatures}, ${outFeatures}], got [${w.shape}].`);
    }
    this.weight = tf.variable(w, true);
    if (!opts.weight) w.dispose();
    if (opts.bias ?? true) {
      const b = opts.biasInit ?? tf.randomUniform([outFeatures], -bound, bound, 'float32', seed + 7919);
      this.bias = tf.variable(b, true);
      if (!opts.biasInit) b.dispose();
    } else {
      this.bias = undefined;
    }
  }

  /** Build from PyTorch `nn.Linear` arrays (`weight: [out][in]`, `bias: [out]`). */
  static fromTorch(weight: number[][], bias?: number[]): Linear {
    const w = tf.tidy(() => tf.tensor2d(weight).transpose() as tf.Tensor2D);
    const b = bias ? tf.tensor1d(bias) : undefined;
    const layer = new Linear({
      inFeatures: w.shape[0],
      outFeatures: w.shape[1],
      weight: w,
      bias: !!b,
      ...(b ? { biasInit: b } : {}),
    });
    w.dispose();
    b?.dispose();
    return layer;
  }

  namedParameters(): Record<string, tf.Variable> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  /**
   * Compute `x W + b` over the last dimension, `[..., inFeatures]` → `[..., outFeatures]`; throws a `ShapeError` on a
   * width mismatch.
   */
  apply(x: tf.Tensor): tf.Tensor {
    const last = x.shape[x.rank - 1];
    if (last !== this.inFeatures) {
      throw new ShapeError('x', `last dimension is ${last}, this Linear takes ${this.inFeatures}.`);
    }
    return tf.tidy(() => {
      const x2 = x.rank === 2 ? x : x.reshape([-1, this.inFeatures]);
      let y = tf.matMul(x2 as tf.Tensor2D, this.weight as tf.Tensor2D) as tf.Tensor;
      if (this.bias) y = tf.add(y, this.bias);
      return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), this.outFeatures]);
    });
  }
}

/** Options of {@link MLP}. */
export interface MLPOptions {
  /** Layer widths, input first: `[2, 50, 2]` is Linear(2,50) → act → Linear(50,2). */
  sizes: readonly number[];
  /** Hidden activation (default tanh). */
  activation?: Activation;
  /** Activation after the last layer (default identity). */
  finalActivation?: Activation;
  /** Seed for the init; layer `i` uses `seed + i`. */
  seed?: number;
}

/** A multi-layer perceptron of {@link Linear} layers. */
export class MLP extends BaseModule {
  /** The linear layers, input first (parameter names `layers.<i>.weight`, `layers.<i>.bias`). */
  readonly layers: Linear[];
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  private readonly finalAct: (x: tf.Tensor) => tf.Tensor;
  /** The activations by name when their derivative follows from the output (the layers then fuse under a tape). */
  private readonly fusable: { hidden?: FusableActivation; final?: FusableActivation };

  constructor(opts: MLPOptions | { layers: Linear[]; activation?: Activation; finalActivation?: Activation }) {
    super();
    this.act = activation(opts.activation ?? 'tanh');
    this.finalAct = activation(opts.finalActivation ?? 'identity');
    const fusableName = (a: Activation): FusableActivation | undefined =>
      a === 'tanh' || a === 'sigmoid' || a === 'relu' || a === 'softplus' || a === 'identity' ? a : undefined;
    this.fusable = { hidden: fusableName(opts.activation ?? 'tanh'), final: fusableName(opts.finalActivation ?? 'identity') };
    if ('layers' in opts) {
      this.layers = opts.layers;
    } else {
      if (opts.sizes.length < 2)
        throw new InvalidArgumentError('sizes', 'needs at least input and output widths.', 'e.g. sizes: [2, 64, 2].');
      const base = opts.seed ?? unnamedSeed++ * 1000;
      this.layers = opts.sizes
        .slice(1)
        .map((out, i) => new Linear({ inFeatures: opts.sizes[i] as number, outFeatures: out, seed: base + i }));
    }
  }

  namedParameters(): Record<string, tf.Variable> {
    return collectParameters(Object.fromEntries(this.layers.map((l, i) => [`layers.${i}`, l])));
  }

  /**
   * Run the layers in order, the hidden activation between them and the final activation after the last:
   * `[..., sizes[0]]` → `[..., sizes.at(-1)]`.
   */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      this.layers.forEach((layer, i) => {
        const hidden = i < this.layers.length - 1;
        const act = hidden ? this.act : this.finalAct;
        const kind = hidden ? this.fusable.hidden : this.fusable.final;
        // Under a first-order tape each layer is one recorded op (see fused-dense.ts).
        if (kind && canFuseDense(h) && h.shape[1] === layer.inFeatures) {
          h = fusedDense(h, layer.weight, layer.bias, kind, act);
        } else {
          h = act(layer.apply(h));
        }
      });
      return h;
    });
  }
}
