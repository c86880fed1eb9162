/**
 * The path KL between the posterior and prior weight SDEs, KL(q ‖ p) = E_q ∫ ½ |u|² dt with
 * u = (f_q − f_p) / σ: the Monte Carlo estimate from the joint solve, and the exact value for linear
 * drifts (an OU posterior against the OU prior) to check it against.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteNumber, assertPositive } from '@nde/core';
import type { Key } from '@nde/brownian';
import { solveJoint, type SdeBnnMethod, type WeightDrift } from './joint.js';
import type { OUPrior } from './prior.js';

/** A linear posterior drift f_q(w) = α − β w (per coordinate). */
export interface LinearDrift {
  /** Constant part α of the drift. */
  alpha: number;
  /** Rate β of the linear part (β > 0 mean-reverts to α/β; 0 gives a Brownian motion with drift α). */
  beta: number;
}

/**
 * Exact KL(q ‖ p) over [0, T] between the path laws of dw = (α − β w) dt + σ dW (posterior) and the OU
 * prior dw = −θ (w − μ) dt + σ dW, both from the same deterministic w0, per coordinate:
 * ∫₀ᵀ E_q[(c + k w_t)²] / (2σ²) dt with c = α − θμ, k = θ − β, and w_t Gaussian with mean
 * α/β + (w0 − α/β) e^{−βt} and variance σ²(1 − e^{−2βt})/(2β) (β → 0: Brownian). The time integral
 * of this smooth function is taken by composite Simpson with 2000 panels (error < 1e-10 relative).
 *
 * @param prior - the OU prior dw = −θ (w − μ) dt + σ dW; its `theta`, `mu` and `sigma` are read (σ is also the posterior's diffusion).
 * @param q - the linear posterior drift α − β w (β = 0 gives a Brownian motion with drift α).
 * @param w0 - the common deterministic initial weight of both processes (one coordinate; must be finite).
 * @param T - the time horizon, > 0: the KL is over the paths on [0, T].
 *
 * @example
 * ```ts
 * const exact = ouPathKL(new OUPrior({ theta: 1, sigma: 0.5 }), { alpha: 0, beta: 2 }, 1, 1); // ≈ 1.2
 * ```
 */
export function ouPathKL(prior: OUPrior, q: LinearDrift, w0: number, T: number): number {
  assertFiniteNumber('w0', w0);
  assertPositive('T', T);
  const { theta, mu, sigma } = prior;
  const c = q.alpha - theta * mu;
  const k = theta - q.beta;
  const moments = (t: number): { m: number; v: number } => {
    if (Math.abs(q.beta) < 1e-12) return { m: w0 + q.alpha * t, v: sigma * sigma * t };
    const e = Math.exp(-q.beta * t);
    const inf = q.alpha / q.beta;
    return { m: inf + (w0 - inf) * e, v: (sigma * sigma * (1 - e * e)) / (2 * q.beta) };
  };
  const integrand = (t: number): number => {
    const { m, v } = moments(t);
    return (c * c + 2 * c * k * m + k * k * (m * m + v)) / (2 * sigma * sigma);
  };
  const n = 2000;
  const h = T / n;
  let s = integrand(0) + integrand(T);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * integrand(i * h);
  return (s * h) / 3;
}

/**
 * A linear drift α − β w as a {@link WeightDrift} (a closed-form posterior for tests and examples).
 *
 * @param q - the coefficients α and β, kept by reference as `q` on the returned drift.
 *
 * @example
 * ```ts
 * const post = linearDrift({ alpha: 0, beta: 2 });
 * ```
 */
export function linearDrift(q: LinearDrift): WeightDrift & { readonly q: LinearDrift } {
  return {
    q,
    apply: (_t, w) => tf.tidy(() => tf.sub(q.alpha, tf.mul(w, q.beta))),
    diagJacobian: (_t, w) => tf.fill(w.shape as number[], -q.beta),
  };
}

/** Options of {@link estimatePathKL}. */
export interface EstimatePathKLOptions {
  /** The OU prior (its σ is also the posterior's diffusion). */
  prior: OUPrior;
  /** Drift of the posterior weight SDE, e.g. {@link linearDrift}. */
  posterior: WeightDrift;
  /** Initial weights `[samples, D]` (every row is an independent path). */
  w0: tf.Tensor;
  /** End time T of the paths (default 1). */
  t1?: number;
  /** Number of fixed solver steps (default 4). */
  steps?: number;
  /** SDE method (default `'midpoint'`). */
  method?: SdeBnnMethod;
  /** Use the sticking-the-landing KL estimator (default false). */
  stl?: boolean;
  /** Key of the Brownian motion (same key → same paths). */
  key: Key;
}

/**
 * Monte Carlo estimate of KL(q ‖ p) from the joint solve's KL accumulator: the mean over paths of
 * Σ_j k_j(t1). Returns host numbers (mean and its standard error).
 *
 * @param o - the `prior`, the `posterior` drift, initial weights `w0` `[samples, D]` (every row an independent path; not disposed), the Brownian `key`, and optional `t1`, `steps`, `method` and `stl`; see {@link EstimatePathKLOptions}.
 *
 * @example
 * ```ts
 * const { mean } = estimatePathKL({ prior, posterior: linearDrift({ alpha: 0, beta: 2 }), w0: tf.ones([4000, 1]), steps: 64, key: key(0) });
 * ```
 */
export function estimatePathKL(o: EstimatePathKLOptions): { mean: number; stderr: number } {
  const kl = tf.tidy(() => {
    const sol = solveJoint({
      w0: o.w0,
      prior: o.prior,
      posterior: o.posterior,
      key: o.key,
      ...(o.t1 !== undefined ? { t1: o.t1 } : {}),
      ...(o.steps !== undefined ? { steps: o.steps } : {}),
      ...(o.method ? { method: o.method } : {}),
      ...(o.stl !== undefined ? { stl: o.stl } : {}),
    });
    return sol.kl;
  });
  const xs = kl.dataSync();
  kl.dispose();
  const n = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let v = 0;
  for (const x of xs) v += (x - m) ** 2;
  return { mean: m, stderr: Math.sqrt(v / Math.max(1, n - 1) / n) };
}
