/** The SDE-BNN block: a continuous-depth layer whose weights follow the posterior weight SDE. */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, ShapeError, collectParameters } from '@nde/core';
import type { Key } from '@nde/brownian';
import { solveJoint, type SdeBnnAdjoint, type SdeBnnMethod } from '../joint.js';
import { PosteriorDrift } from '../posterior.js';
import { OUPrior, type OUPriorOptions } from '../prior.js';
import type { WeightField } from './field.js';

/** Options of {@link SDEBNNBlock}. */
export interface SDEBNNBlockOptions {
  /** The vector field whose weights are the SDE state (`MLPWeightField`, `ConvWeightField`). */
  field: WeightField;
  /** The OU prior (or its options). Default θ = 1, μ = 0, σ = 0.1. */
  prior?: OUPrior | OUPriorOptions;
  /** Hidden width of the posterior drift network (default 32). */
  posteriorHidden?: number;
  /** Depth interval end (default 1). */
  t1?: number;
  /** Fixed solver steps over depth (default 4). */
  steps?: number;
  /** Default 'midpoint'. */
  method?: SdeBnnMethod;
  /** Default 'direct'. */
  adjoint?: SdeBnnAdjoint;
  /** Sticking-the-landing KL estimator (default false). */
  stl?: boolean;
  /** Seed of the initial weights w(0) and of the posterior network (default 0). */
  seed?: number;
}

/** Options of one forward pass. */
export interface BlockForwardOptions {
  /** Key of the weight paths. */
  key: Key;
  /** Number of independent weight paths in the batch; the batch splits into this many equal groups (default 1). */
  groups?: number;
}

/**
 * h(t1) for h(0) = input, with dh = f_{w(t)}(h) dt, w following the posterior SDE from the learned
 * w(0), and the KL of each sampled weight path against the OU prior.
 *
 * @example
 * ```ts
 * const block = new SDEBNNBlock({ field: new MLPWeightField({ features: 8 }), prior: { sigma: 0.1 }, steps: 4 });
 * const { h, kl } = tf.tidy(() => block.forward(tf.zeros([32, 8]), { key: key(0), groups: 4 })); // [32, 8], [4]
 * ```
 */
export class SDEBNNBlock extends BaseModule {
  /** The vector field whose weights are the SDE state. */
  readonly field: WeightField;
  /** The OU prior over weight paths (default θ = 1, μ = 0, σ = 0.1). */
  readonly prior: OUPrior;
  /** Drift network of the posterior weight SDE (hidden width `posteriorHidden`, default 32). */
  readonly posterior: PosteriorDrift;
  /** Initial weights w(0) (the posterior's starting point), `[D]`. */
  readonly w0: tf.Variable;
  /** End of the depth interval [0, t1] (default 1). */
  readonly t1: number;
  /** Number of fixed solver steps over depth (default 4). */
  readonly steps: number;
  /** SDE method of the joint solve (default `'midpoint'`). */
  readonly method: SdeBnnMethod;
  /** Gradient strategy of the joint solve (default `'direct'`). */
  readonly adjoint: SdeBnnAdjoint;
  /** Whether the KL uses the sticking-the-landing estimator (default false). */
  readonly stl: boolean;

  constructor(options: SDEBNNBlockOptions) {
    super();
    this.field = options.field;
    this.prior = options.prior instanceof OUPrior ? options.prior : new OUPrior(options.prior ?? {});
    const D = this.field.layout.size;
    const seed = options.seed ?? 0;
    this.posterior = new PosteriorDrift({ weightDim: D, hidden: options.posteriorHidden ?? 32, seed: seed + 101 });
    const init = this.field.layout.init(seed);
    this.w0 = tf.variable(init, true);
    init.dispose();
    this.t1 = options.t1 ?? 1;
    this.steps = options.steps ?? 4;
    this.method = options.method ?? 'midpoint';
    this.adjoint = options.adjoint ?? 'direct';
    this.stl = options.stl ?? false;
  }

  /** Number of weights D. */
  get weightDim(): number {
    return this.field.layout.size;
  }

  /** The initial weights `w0` and the posterior network's parameters (`posterior.l1.weight`, …); the prior has none. */
  namedParameters(): Record<string, tf.Variable> {
    return { w0: this.w0, ...collectParameters({ posterior: this.posterior }) };
  }

  /**
   * One pass: `h: [B, ...featureShape]` → `{ h: [B, ...featureShape], kl: [groups] }`. Call inside
   * `tf.tidy` or a gradient closure.
   * @throws ShapeError when h's trailing shape is not the field's, InvalidArgumentError when B is not a multiple of groups.
   */
  forward(h: tf.Tensor, options: BlockForwardOptions): { h: tf.Tensor; kl: tf.Tensor; nfe: number } {
    const fs = this.field.featureShape;
    if (h.rank !== fs.length + 1 || fs.some((d, i) => h.shape[i + 1] !== d)) {
      throw new ShapeError('h', `must be [batch, ${fs.join(', ')}] (got [${h.shape}]).`);
    }
    const B = h.shape[0] as number;
    const S = options.groups ?? 1;
    if (!(Number.isInteger(S) && S > 0 && B % S === 0)) {
      throw new InvalidArgumentError(
        'groups',
        `must be a positive divisor of the batch size ${B} (got ${S}).`,
        'Each group of examples shares one sampled weight path.',
      );
    }
    const h0 = tf.reshape(h, [S, -1]);
    const w0 = tf.tile(tf.expandDims(this.w0, 0), [S, 1]);
    const sol = solveJoint({
      h0,
      w0,
      field: (t, hh, w) => this.field.apply(t, hh, w),
      prior: this.prior,
      posterior: this.posterior,
      t1: this.t1,
      steps: this.steps,
      method: this.method,
      adjoint: this.adjoint,
      params: this.posterior,
      stl: this.stl,
      key: options.key,
    });
    return { h: tf.reshape(sol.h as tf.Tensor, h.shape), kl: sol.kl, nfe: sol.nfe };
  }
}
