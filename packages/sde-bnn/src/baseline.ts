/** The deterministic ODE-net baseline with the same architecture: the block's weights are constant over depth. */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, collectParameters, assertPositiveInteger } from '@nde/core';
import { odeint } from '@nde/solvers';
import type { WeightField } from './layers/field.js';
import type { Layer } from './layers/layer.js';
import { likelihoodNll, type Likelihood, type ModelForwardOptions, type Predictor } from './model.js';

/** Options of {@link ODENet}. */
export interface ODENetOptions {
  /** Deterministic layer mapping `x` to the field's features. */
  input: Layer;
  /** The vector field; its weights `w` are learned and constant in depth. */
  field: WeightField;
  /** Deterministic layer mapping h(t1) to logits or regression means. */
  output: Layer;
  /** End of the depth interval [0, t1] (default 1). */
  t1?: number;
  /** Fixed steps (default 4). */
  steps?: number;
  /** ODE method with fixed steps (default 'midpoint'). */
  method?: 'euler' | 'midpoint' | 'heun' | 'rk4';
  /** Seed of the initial field weights (default 0). */
  seed?: number;
}

/**
 * `output(h(t1))` with dh/dt = f_w(h), w learned and constant in depth: the SDE-BNN with σ → 0 and
 * no posterior network.
 *
 * @example
 * ```ts
 * const net = new ODENet({ input: stem, field: new ConvWeightField({ height: 7, width: 7, channels: 8 }), output: head });
 * const { loss } = tf.tidy(() => net.loss(x, labels, { kind: 'categorical' }));
 * ```
 */
export class ODENet extends BaseModule implements Predictor {
  readonly stochastic = false;
  /** Deterministic layer mapping `x` to the field's features. */
  readonly input: Layer;
  /** The vector field f_w(h). */
  readonly field: WeightField;
  /** Deterministic layer mapping h(t1) to logits or regression means. */
  readonly output: Layer;
  /** The field's weights, a flat vector `[D]` (`D = field.layout.size`). */
  readonly w: tf.Variable;
  /** End of the depth interval [0, t1] (default 1). */
  readonly t1: number;
  /** Number of fixed ODE steps over depth (default 4). */
  readonly steps: number;
  /** Fixed-step ODE method (default `'midpoint'`). */
  readonly method: 'euler' | 'midpoint' | 'heun' | 'rk4';

  constructor(options: ODENetOptions) {
    super();
    this.input = options.input;
    this.field = options.field;
    this.output = options.output;
    const init = this.field.layout.init(options.seed ?? 0);
    this.w = tf.variable(init, true);
    init.dispose();
    this.t1 = options.t1 ?? 1;
    this.steps = options.steps ?? 4;
    assertPositiveInteger('steps', this.steps);
    this.method = options.method ?? 'midpoint';
  }

  /** The field weights `w` and the parameters of the input and output layers (prefixed `input.`, `output.`). */
  namedParameters(): Record<string, tf.Variable> {
    return { w: this.w, ...collectParameters({ input: this.input, output: this.output }) };
  }

  /** Outputs `[B, out]`; the options are accepted for the {@link Predictor} interface and ignored. Call inside `tf.tidy`. */
  forward(x: tf.Tensor, _options?: ModelForwardOptions): { out: tf.Tensor } {
    const h = this.input.apply(x);
    const w = tf.expandDims(this.w, 0);
    const h0 = tf.reshape(h, [1, -1]);
    const hs = odeint((t: number, y: tf.Tensor) => this.field.apply(t, y, w), h0, [0, this.t1], {
      method: this.method,
      dt: this.t1 / this.steps,
    });
    const h1 = tf.reshape(tf.slice(hs, [1, 0, 0], [1, 1, h0.shape[1] as number]), h.shape);
    return { out: this.output.apply(h1) };
  }

  /**
   * Mean negative log-likelihood of a batch (the training loss). Use inside a gradient closure.
   * @example
   * ```ts
   * const { loss } = net.loss(x, y, { kind: 'categorical' });
   * ```
   */
  loss(x: tf.Tensor, y: tf.Tensor, likelihood: Likelihood): { loss: tf.Scalar; nll: tf.Scalar } {
    const nll = likelihoodNll(this.forward(x).out, y, likelihood);
    return { loss: nll, nll };
  }
}
