/**
 * The prior over weight paths: an Ornstein–Uhlenbeck SDE dw = −θ (w − μ) dt + σ dW, mean-reverting
 * to μ with stationary variance σ² / (2θ) (Xu et al. 2022, §3).
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteNumber, assertPositive } from '@nde/core';

/** Options of {@link OUPrior}. */
export interface OUPriorOptions {
  /** Mean-reversion rate θ > 0 (default 1). */
  theta?: number;
  /** Long-run mean μ (default 0). */
  mu?: number;
  /** Diffusion σ > 0, shared with the posterior (default 0.1). */
  sigma?: number;
}

/**
 * Ornstein–Uhlenbeck prior over the weights: drift −θ (w − μ), diffusion σ (the same σ the posterior
 * uses, so the path KL is finite).
 *
 * @example
 * ```ts
 * const prior = new OUPrior({ theta: 1, sigma: 0.2 });
 * prior.stationaryVariance;           // 0.02
 * const f = prior.drift(tf.ones([4, 10]));  // −1 everywhere
 * ```
 */
export class OUPrior {
  /** Mean-reversion rate θ > 0 (default 1). */
  readonly theta: number;
  /** Long-run mean μ the weights revert to (default 0). */
  readonly mu: number;
  /** Diffusion σ > 0, shared with the posterior (default 0.1). */
  readonly sigma: number;

  constructor(options: OUPriorOptions = {}) {
    this.theta = options.theta ?? 1;
    this.mu = options.mu ?? 0;
    this.sigma = options.sigma ?? 0.1;
    assertPositive('theta', this.theta, 'The OU prior mean-reverts at rate θ > 0.');
    assertFiniteNumber('mu', this.mu);
    assertPositive('sigma', this.sigma, 'The shared diffusion must be > 0 for the path KL to exist.');
  }

  /**
   * Prior drift −θ (w − μ) (new tensor, caller owns it).
   * @example
   * ```ts
   * const f = new OUPrior().drift(w);
   * ```
   */
  drift(w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(tf.sub(w, this.mu), -this.theta));
  }

  /**
   * The prior drift as a weight drift of (t, w), so the prior can be sampled with `solveJoint`
   * (posterior = prior: zero KL). New tensor.
   * @example
   * ```ts
   * solveJoint({ w0, prior, posterior: prior, key: key(0) });
   * ```
   */
  apply(_t: number, w: tf.Tensor): tf.Tensor {
    return this.drift(w);
  }

  /**
   * Stationary variance σ² / (2θ) of each weight coordinate.
   * @example
   * ```ts
   * new OUPrior({ theta: 2, sigma: 1 }).stationaryVariance; // 0.25
   * ```
   */
  get stationaryVariance(): number {
    return (this.sigma * this.sigma) / (2 * this.theta);
  }

  /**
   * Exact mean and variance of w(t) given w(0) = w0 (per coordinate, host numbers).
   * @example
   * ```ts
   * const { mean, variance } = new OUPrior().marginal(1, 0.5);
   * ```
   */
  marginal(w0: number, t: number): { mean: number; variance: number } {
    const e = Math.exp(-this.theta * t);
    return { mean: this.mu + (w0 - this.mu) * e, variance: this.stationaryVariance * (1 - e * e) };
  }
}
