/** The SDE-BNN model: usual input layer → SDE-BNN block → usual output layer, and its ELBO. */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, ShapeError, assertPositive, collectParameters } from '@nde/core';
import type { Key } from '@nde/brownian';
import type { SDEBNNBlock } from './layers/block.js';
import type { Layer } from './layers/layer.js';

/** The likelihood of the targets: softmax categorical (labels int32 `[B]`) or Gaussian with a fixed std (targets `[B, out]`). */
export type Likelihood = { kind: 'categorical' } | { kind: 'gaussian'; std: number };

/** Options of one forward pass of a model. */
export interface ModelForwardOptions {
  /** Key of the weight paths (ignored by deterministic models). */
  key: Key;
  /** Independent weight paths per batch (default 1). */
  groups?: number;
}

/** A model {@link predictProbs} and {@link predictRegression} can sample. */
export interface Predictor {
  /** True when repeated passes with different keys differ (Monte Carlo over weights). */
  readonly stochastic: boolean;
  /** Outputs `[B, out]` (logits or regression means). Call inside `tf.tidy`. */
  forward(x: tf.Tensor, options: ModelForwardOptions): { out: tf.Tensor; kl?: tf.Tensor };
}

/** Options of {@link SDEBNN.loss}. */
export interface LossOptions extends ModelForwardOptions {
  /** Likelihood of the targets: `{ kind: 'categorical' }` for labels, or Gaussian with a fixed std. */
  likelihood: Likelihood;
  /** Training-set size N: the ELBO per example is E[log p(y|x,w)] − KL / N. */
  datasetSize: number;
  /** Multiplies the KL (annealing; default 1). */
  klWeight?: number;
}

/** The loss and its parts (scalars; owned by the caller, or by the enclosing tidy/gradient scope). */
export interface LossParts {
  /** −ELBO per example: nll + klWeight · kl / N. */
  loss: tf.Scalar;
  /** Mean negative log-likelihood per example. */
  nll: tf.Scalar;
  /** Mean path KL per weight sample. */
  kl: tf.Scalar;
}

/**
 * Negative log-likelihood per example of outputs under a likelihood (mean over the batch).
 *
 * @param out - model outputs: logits `[B, K]` for the categorical likelihood, predicted means `[B, ...]` for the Gaussian one.
 * @param y - targets: class labels `[B]` for categorical (cast to int32), or a tensor of exactly `out`'s shape for Gaussian.
 * @param likelihood - `{ kind: 'categorical' }` (softmax cross-entropy) or `{ kind: 'gaussian', std }` with a fixed std > 0 (the NLL is summed over output entries, then averaged over the batch).
 *
 * @example
 * ```ts
 * const nll = likelihoodNll(logits, labels, { kind: 'categorical' });
 * ```
 */
export function likelihoodNll(out: tf.Tensor, y: tf.Tensor, likelihood: Likelihood): tf.Scalar {
  return tf.tidy(() => {
    if (likelihood.kind === 'categorical') {
      if (y.rank !== 1 || y.shape[0] !== out.shape[0]) throw new ShapeError('y', `labels must be [${out.shape[0]}] (got [${y.shape}]).`);
      const logp = tf.logSoftmax(out);
      const oh = tf.oneHot(tf.cast(y, 'int32'), out.shape[1] as number);
      return tf.neg(tf.mean(tf.sum(tf.mul(oh, logp), 1))) as tf.Scalar;
    }
    assertPositive('likelihood.std', likelihood.std);
    if (y.shape.join() !== out.shape.join()) throw new ShapeError('y', `targets must be [${out.shape}] (got [${y.shape}]).`);
    const s = likelihood.std;
    const z = tf.div(tf.sub(y, out), s);
    const perElem = tf.add(tf.mul(0.5, tf.square(z)), Math.log(s) + 0.5 * Math.log(2 * Math.PI));
    return tf.mean(tf.sum(tf.reshape(perElem, [out.shape[0] as number, -1]), 1)) as tf.Scalar;
  });
}

/**
 * SDE-BNN (Xu et al. 2022): `output(block(input(x)))` with the block's weights a sampled path of
 * the posterior weight SDE.
 *
 * @example
 * ```ts
 * const model = new SDEBNN({
 *   input: new Linear({ inFeatures: 1, outFeatures: 8, seed: 0 }),
 *   block: new SDEBNNBlock({ field: new MLPWeightField({ features: 8, width: 16 }), prior: { sigma: 0.2 } }),
 *   output: new Linear({ inFeatures: 8, outFeatures: 1, seed: 1 }),
 * });
 * const { loss } = tf.tidy(() => model.loss(x, y, { key: key(0), likelihood: { kind: 'gaussian', std: 0.1 }, datasetSize: 100 }));
 * ```
 */
export class SDEBNN extends BaseModule implements Predictor {
  readonly stochastic = true;
  /** Deterministic layer mapping `x` to the block's features. */
  readonly input: Layer;
  /** The SDE-BNN block, whose weights follow the posterior weight SDE. */
  readonly block: SDEBNNBlock;
  /** Deterministic layer mapping the block's output to logits or regression means. */
  readonly output: Layer;

  constructor(options: { input: Layer; block: SDEBNNBlock; output: Layer }) {
    super();
    this.input = options.input;
    this.block = options.block;
    this.output = options.output;
  }

  /** Parameters of the three parts, prefixed `input.`, `block.` and `output.`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ input: this.input, block: this.block, output: this.output });
  }

  forward(x: tf.Tensor, options: ModelForwardOptions): { out: tf.Tensor; kl: tf.Tensor } {
    const h = this.input.apply(x);
    const r = this.block.forward(h, options);
    return { out: this.output.apply(r.h), kl: r.kl };
  }

  /**
   * −ELBO per example and its parts for a batch. Use inside a gradient closure.
   * @example
   * ```ts
   * opt.minimize(() => model.loss(x, y, { key: fold(k, step), groups: 4, likelihood: { kind: 'categorical' }, datasetSize: 60000 }).loss);
   * ```
   */
  loss(x: tf.Tensor, y: tf.Tensor, options: LossOptions): LossParts {
    assertPositive('datasetSize', options.datasetSize);
    const klWeight = options.klWeight ?? 1;
    if (!(klWeight >= 0)) throw new InvalidArgumentError('klWeight', `must be >= 0 (got ${klWeight}).`);
    const { out, kl } = this.forward(x, options);
    const nll = likelihoodNll(out, y, options.likelihood);
    const klMean = tf.mean(kl) as tf.Scalar;
    const loss = tf.add(nll, tf.mul(klMean, klWeight / options.datasetSize)) as tf.Scalar;
    return { loss, nll, kl: klMean };
  }
}
