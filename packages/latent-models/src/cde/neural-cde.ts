/**
 * The neural CDE classifier/regressor of Kidger et al. 2020: z(t0) = ζ(X(t0)), dz = f_θ(z) dX(t),
 * output = ℓ(z(t1)), with f_θ an MLP whose last layer is tanh (as the paper), reshaped to
 * `[batch, hidden, channels]` and contracted with dX/dt by `@nde/solvers`' `ControlTerm`.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, Linear, assertPositiveInteger, MLP, ShapeError, collectParameters, type Activation } from '@nde/core';
import {
  ControlTerm,
  PIDController,
  clipSteps,
  ConstantStepSize,
  solve,
  type AdjointMethod,
  type ControlPath,
  type MethodName,
  type StepSizeController,
} from '@nde/solvers';

/** Options of {@link NeuralCDE}. */
export interface NeuralCDEOptions {
  /** Channels of the control path the model reads (`path.channels`, time and count channels included). */
  readonly inputChannels: number;
  /** Width of the hidden state z (default 16). */
  readonly hidden?: number;
  /** Width of the vector field's hidden layers (default 64). */
  readonly width?: number;
  /** Number of hidden layers of the vector field (default 2). */
  readonly depth?: number;
  /** Activation between the field's hidden layers (default `'relu'`, as the paper; its output is always tanh). */
  readonly activation?: Activation;
  /** Output width: classes (or 1 for a binary classifier), or the regression targets' width. */
  readonly outputs: number;
  /** `'classification'` (softmax / sigmoid cross-entropy; the default) or `'regression'` (mean squared error). */
  readonly head?: 'classification' | 'regression';
  /** ODE method of the CDE solve (default `'dopri5'`). */
  readonly solver?: MethodName;
  /** Relative and absolute tolerance of an adaptive solve (default 1e-3 / 1e-4). */
  readonly rtol?: number;
  /** Absolute tolerance of an adaptive solve (default 1e-4). */
  readonly atol?: number;
  /** Fixed step for fixed-step methods (`rk4`, `midpoint`, …); default: adaptive. */
  readonly dt?: number;
  /** Gradient strategy of the solve (default: differentiate through it; `BacksolveAdjoint` for O(1) memory). */
  readonly adjoint?: AdjointMethod;
  /** Seed of the initial weights. */
  readonly seed?: number;
}

/**
 * A neural CDE with an initial map, a tanh-output vector field and a linear readout.
 *
 * @example
 * ```ts
 * const X = hermiteCubicInterpolation(values, ts, { timeChannel: true });
 * const model = new NeuralCDE({ inputChannels: X.channels, hidden: 8, outputs: 1, seed: 0 });
 * const opt = new Adam({ learningRate: 1e-2 });
 * opt.step(() => model.loss(X, labels), model);
 * const p = model.predict(X); // [batch, 1] probabilities
 * ```
 */
export class NeuralCDE extends BaseModule {
  /** ζ: X(t0) → z(t0). */
  readonly initial: Linear;
  /** f_θ: z → `[hidden · channels]` (tanh output). */
  readonly field: MLP;
  /** ℓ: z(t1) → outputs. */
  readonly readout: Linear;
  /** Width of z. */
  readonly hidden: number;
  /** Channels of the control path. */
  readonly inputChannels: number;
  /** Output width. */
  readonly outputs: number;
  /** Classification or regression. */
  readonly head: 'classification' | 'regression';
  /** Evaluations of f in the last forward solve. */
  lastNfe = 0;
  private readonly o: NeuralCDEOptions;

  constructor(options: NeuralCDEOptions) {
    super();
    const { inputChannels, outputs } = options;
    assertPositiveInteger('inputChannels', inputChannels);
    assertPositiveInteger('outputs', outputs);
    this.o = options;
    this.hidden = options.hidden ?? 16;
    this.inputChannels = inputChannels;
    this.outputs = outputs;
    this.head = options.head ?? 'classification';
    const seed = options.seed ?? 0;
    const width = options.width ?? 64;
    const depth = options.depth ?? 2;
    this.initial = new Linear({ inFeatures: inputChannels, outFeatures: this.hidden, seed: seed * 100 + 1 });
    this.field = new MLP({
      sizes: [this.hidden, ...Array.from({ length: depth }, () => width), this.hidden * inputChannels],
      activation: options.activation ?? 'relu',
      finalActivation: 'tanh',
      seed: seed * 100 + 10,
    });
    this.readout = new Linear({ inFeatures: this.hidden, outFeatures: outputs, seed: seed * 100 + 50 });
  }

  /** The model's variables by name (`initial.*`, `field.*`, `readout.*`). */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ initial: this.initial, field: this.field, readout: this.readout });
  }

  private controller(path: ControlPath): StepSizeController {
    if (this.o.dt !== undefined) return new ConstantStepSize();
    return clipSteps(new PIDController({ rtol: this.o.rtol ?? 1e-3, atol: this.o.atol ?? 1e-4 }), { jumpTs: path.jumpTs });
  }

  /**
   * z(t1) read out: logits (classification) or values (regression), `[batch, outputs]`; owned by the caller.
   *
   * @param path - the control path (its `channels` must equal `inputChannels`; not taken over).
   */
  forward(path: ControlPath): tf.Tensor2D {
    if (path.channels !== this.inputChannels) {
      throw new ShapeError(
        'path',
        `has ${path.channels} channels; this model reads ${this.inputChannels}.`,
        'Build the path with the same options (timeChannel, cumulativeCount) as the model.',
      );
    }
    const B = path.batch;
    const H = this.hidden;
    const C = this.inputChannels;
    const x0 = path.evaluate(path.t0);
    const z0 = this.initial.apply(x0) as tf.Tensor2D;
    x0.dispose();
    const term = new ControlTerm((_t, z) => tf.reshape(this.field.apply(z), [B, H, C]), path);
    try {
      const sol = solve({
        terms: term,
        solver: this.o.solver ?? 'dopri5',
        t0: path.t0,
        t1: path.t1,
        y0: z0,
        stepSizeController: this.controller(path),
        ...(this.o.dt !== undefined ? { dt0: this.o.dt } : {}),
        ...(this.o.adjoint ? { adjoint: this.o.adjoint } : {}),
        maxSteps: 100000,
      });
      this.lastNfe = sol.stats.nfe;
      const z1 = tf.squeeze(sol.ys as tf.Tensor, [0]);
      sol.dispose();
      const out = this.readout.apply(z1) as tf.Tensor2D;
      z1.dispose();
      return out;
    } finally {
      z0.dispose();
    }
  }

  /**
   * The mean loss on a batch: cross-entropy for classification (softmax over `outputs`, or a sigmoid when
   * `outputs` is 1), mean squared error for regression.
   *
   * @param path - the control path of the batch.
   * @param targets - class indices `[batch]` (classification) or values `[batch, outputs]` (regression); not taken over.
   */
  loss(path: ControlPath, targets: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const out = this.forward(path);
      if (this.head === 'regression') return tf.mean(tf.square(tf.sub(out, targets))) as tf.Scalar;
      if (this.outputs === 1) return tf.losses.sigmoidCrossEntropy(tf.reshape(tf.cast(targets, 'float32'), [-1, 1]), out) as tf.Scalar;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(targets, 'int32'), this.outputs), out) as tf.Scalar;
    });
  }

  /**
   * Class probabilities (`[batch, outputs]`; sigmoid when `outputs` is 1) or regression values; owned by the caller.
   *
   * @param path - the control path of the batch.
   */
  predict(path: ControlPath): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.forward(path);
      if (this.head === 'regression') return out;
      return (this.outputs === 1 ? tf.sigmoid(out) : tf.softmax(out)) as tf.Tensor2D;
    });
  }
}

/**
 * Accuracy of class probabilities against labels (a host number; 0.5 threshold for one output).
 *
 * @param probs - `[batch, classes]` or `[batch, 1]` probabilities.
 * @param labels - class indices, one per row.
 * @example
 * ```ts
 * const acc = accuracy(model.predict(X), labels);
 * ```
 */
export function accuracy(probs: tf.Tensor2D, labels: ArrayLike<number>): number {
  const p = probs.arraySync();
  let right = 0;
  p.forEach((row, i) => {
    const guess = row.length === 1 ? ((row[0] as number) > 0.5 ? 1 : 0) : row.indexOf(Math.max(...row));
    if (guess === labels[i]) right++;
  });
  return right / p.length;
}
