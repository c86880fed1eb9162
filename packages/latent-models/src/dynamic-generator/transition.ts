/**
 * State transitions s_{t+1} = F(s_t, ξ_t) of the dynamic generator, with ξ_t ~ N(0, I) explicit
 * (Langevin dynamics infers them). Three variants:
 * - {@link MLPTransition}: residual MLP, s + MLP([s, ξ]) (Xie et al. 2019);
 * - {@link ODETransition}: a neural ODE over a unit time step, ds/dt = f([s, ξ]) with ξ held over the step;
 * - {@link SDETransition}: a neural SDE over a unit time step, ds = f(s) dt + g(s) ∘ dW, whose Brownian
 *   increments on `substeps` sub-intervals are √(1/k) ξ — so the noise stays an explicit latent.
 * The ODE/SDE variants run through `solve` of `@nde/solvers`.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, MLP, ShapeError, UnsupportedError, addMany, collectParameters, type Module, assertPositiveInteger } from '@nde/core';
import { ODETerm, SDETerm, solve, type BrownianIncrement, type BrownianMotion, type MethodName } from '@nde/solvers';

/** A transition F(s, ξ). */
export interface Transition extends Module {
  /** Dimension of the state s. */
  readonly stateDim: number;
  /** Dimension of the per-step noise ξ. */
  readonly noiseDim: number;
  /** `s: [batch, stateDim]`, `xi: [batch, noiseDim]` → next state `[batch, stateDim]` (caller owns it). */
  step(s: tf.Tensor, xi: tf.Tensor): tf.Tensor;
}

/** Options shared by the transitions. */
export interface TransitionOptions {
  /** Dimension of the state s (positive integer). */
  stateDim: number;
  /** Noise dimension (for {@link SDETransition}: stateDim × substeps, derived). */
  noiseDim?: number;
  /** Hidden widths of the MLP(s) (default [64]). */
  hidden?: readonly number[];
  /** Seed of the MLP init (default 0; {@link SDETransition}'s diffusion uses `seed + 100`). */
  seed?: number;
}

function checkStep(t: Transition, s: tf.Tensor, xi: tf.Tensor): void {
  if (s.rank !== 2 || s.shape[1] !== t.stateDim) throw new ShapeError('s', `expected [batch, ${t.stateDim}], got [${s.shape}].`);
  if (xi.rank !== 2 || xi.shape[1] !== t.noiseDim || xi.shape[0] !== s.shape[0])
    throw new ShapeError('xi', `expected [${s.shape[0]}, ${t.noiseDim}], got [${xi.shape}].`);
}

function dims(o: TransitionOptions): { d: number; m: number; hidden: number[] } {
  assertPositiveInteger('stateDim', o.stateDim);
  const m = o.noiseDim ?? o.stateDim;
  assertPositiveInteger('noiseDim', m);
  return { d: o.stateDim, m, hidden: [...(o.hidden ?? [64])] };
}

/**
 * s_{t+1} = s_t + MLP([s_t, ξ_t]) (tanh hidden layers).
 *
 * @example
 * ```ts
 * const F = new MLPTransition({ stateDim: 16, noiseDim: 8, hidden: [64], seed: 0 });
 * const s1 = F.step(tf.zeros([4, 16]), tf.randomNormal([4, 8]));
 * ```
 */
export class MLPTransition extends BaseModule implements Transition {
  /** Dimension of the state s. */
  readonly stateDim: number;
  /** Dimension of the noise ξ (default `stateDim`). */
  readonly noiseDim: number;
  /** Residual MLP `[s, ξ]` (`stateDim + noiseDim`) → Δs (`stateDim`). */
  readonly net: MLP;
  constructor(o: TransitionOptions) {
    super();
    const { d, m, hidden } = dims(o);
    this.stateDim = d;
    this.noiseDim = m;
    this.net = new MLP({ sizes: [d + m, ...hidden, d], activation: 'tanh', seed: o.seed ?? 0 });
  }
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ net: this.net });
  }
  step(s: tf.Tensor, xi: tf.Tensor): tf.Tensor {
    checkStep(this, s, xi);
    return tf.tidy(() => tf.add(s, this.net.apply(tf.concat([s, xi], 1))));
  }
}

/** Options of {@link ODETransition}. */
export interface ODETransitionOptions extends TransitionOptions {
  /** ODE method (default 'rk4'). */
  method?: MethodName;
  /** Fixed steps over the unit interval (default 4). */
  steps?: number;
}

/**
 * s_{t+1} = s(1) where ds/dτ = MLP([s, ξ_t]), s(0) = s_t — a neural ODE over a unit time step.
 *
 * @example
 * ```ts
 * const F = new ODETransition({ stateDim: 16, noiseDim: 8, steps: 4 });
 * ```
 */
export class ODETransition extends BaseModule implements Transition {
  /** Dimension of the state s. */
  readonly stateDim: number;
  /** Dimension of the noise ξ (default `stateDim`), held constant over the step. */
  readonly noiseDim: number;
  /** Vector field MLP `[s, ξ]` (`stateDim + noiseDim`) → ds/dτ (`stateDim`). */
  readonly net: MLP;
  private readonly method: MethodName;
  private readonly steps: number;
  constructor(o: ODETransitionOptions) {
    super();
    const { d, m, hidden } = dims(o);
    this.stateDim = d;
    this.noiseDim = m;
    this.method = o.method ?? 'rk4';
    this.steps = o.steps ?? 4;
    assertPositiveInteger('steps', this.steps);
    this.net = new MLP({ sizes: [d + m, ...hidden, d], activation: 'tanh', seed: o.seed ?? 0 });
  }
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ net: this.net });
  }
  step(s: tf.Tensor, xi: tf.Tensor): tf.Tensor {
    checkStep(this, s, xi);
    const sol = solve({
      terms: new ODETerm((_t: number, y: tf.Tensor, a: tf.Tensor) => this.net.apply(tf.concat([y, a], 1))),
      solver: this.method,
      t0: 0,
      t1: 1,
      y0: s,
      args: xi,
      dt0: 1 / this.steps,
      saveAt: { t1: true },
    });
    const out = tf.squeeze(sol.ys as tf.Tensor, [0]);
    sol.dispose();
    return out;
  }
}

/**
 * A Brownian motion on [0, 1] whose increments over `k` equal sub-intervals are given
 * (`√(1/k) ξ_j`), so they can be inferred by Langevin dynamics. Only grid-aligned queries.
 *
 * @example
 * ```ts
 * const bm = new GivenIncrementsBrownian(tf.randomNormal([4, 2 * 8]), 2, 8); // 2 sub-steps, dim 8
 * ```
 */
export class GivenIncrementsBrownian implements BrownianMotion {
  readonly t0 = 0;
  readonly t1 = 1;
  readonly shape: readonly number[];
  readonly levyArea = 'none' as const;
  private readonly parts: tf.Tensor[];
  /**
   * @param xi - Standard-normal noise `[batch, substeps·dim]`, sub-interval j in columns `[j·dim, (j+1)·dim)`; not disposed (scaled copies are kept).
   * @param substeps - Number k of equal sub-intervals of [0, 1].
   * @param dim - Dimension of the Brownian motion (the state dimension).
   * @throws ShapeError when `xi` is not `[batch, substeps·dim]`.
   */
  constructor(
    xi: tf.Tensor,
    readonly substeps: number,
    dim: number,
  ) {
    if (xi.rank !== 2 || xi.shape[1] !== substeps * dim)
      throw new ShapeError('xi', `expected [batch, ${substeps * dim}], got [${xi.shape}].`);
    this.shape = [xi.shape[0] as number, dim];
    this.parts = tf.tidy(() => tf.split(tf.mul(xi, Math.sqrt(1 / substeps)), substeps, 1));
  }
  evaluate(s: number, u: number): tf.Tensor {
    const a = Math.round(s * this.substeps);
    const b = Math.round(u * this.substeps);
    if (Math.abs(a - s * this.substeps) > 1e-6 || Math.abs(b - u * this.substeps) > 1e-6 || b <= a) {
      throw new UnsupportedError(
        's/u',
        `only increments over whole sub-intervals of 1/${this.substeps} are known (got [${s}, ${u}]).`,
        'Step the SDE with dt0 = 1/substeps.',
      );
    }
    return b - a === 1 ? (this.parts[a] as tf.Tensor).clone() : tf.tidy(() => addMany(this.parts.slice(a, b)));
  }
  evaluateLevy(): BrownianIncrement {
    throw new UnsupportedError(
      'levyArea',
      'given increments carry no Lévy area.',
      "Use a method without Lévy area ('euler', 'heun', 'midpoint').",
    );
  }
  evaluateArray(s: number, u: number): Float32Array {
    const t = this.evaluate(s, u);
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  }
  /** Release the stored increments (not the `xi` passed to the constructor). */
  dispose(): void {
    tf.dispose(this.parts);
  }
}

/** Options of {@link SDETransition}. */
export interface SDETransitionOptions extends TransitionOptions {
  /** Sub-steps of the unit interval (default 2); noiseDim = stateDim × substeps. */
  substeps?: number;
  /** SDE method (default 'euler', Itô Euler–Maruyama). */
  method?: MethodName;
}

/**
 * s_{t+1} = s(1) of ds = f(s) dt + g(s) dW (diagonal noise, g in (0, 1) from a sigmoid output), W driven by ξ_t.
 *
 * @example
 * ```ts
 * const F = new SDETransition({ stateDim: 16, substeps: 2 }); // noiseDim = 32
 * ```
 */
export class SDETransition extends BaseModule implements Transition {
  /** Dimension of the state s. */
  readonly stateDim: number;
  /** `stateDim × substeps`: one standard-normal increment per coordinate and sub-step. */
  readonly noiseDim: number;
  /** Drift MLP f(s), `stateDim → hidden… → stateDim` (tanh). */
  readonly drift: MLP;
  /** Diagonal diffusion MLP g(s), `stateDim → hidden… → stateDim`, sigmoid output (seed `seed + 100`). */
  readonly diffusion: MLP;
  /** Sub-steps of the unit interval (the solver step is `1/substeps`). */
  readonly substeps: number;
  private readonly method: MethodName;
  constructor(o: SDETransitionOptions) {
    super();
    const { d, hidden } = dims({ ...o, noiseDim: o.stateDim });
    this.substeps = o.substeps ?? 2;
    assertPositiveInteger('substeps', this.substeps);
    this.stateDim = d;
    this.noiseDim = d * this.substeps;
    this.method = o.method ?? 'euler';
    const seed = o.seed ?? 0;
    this.drift = new MLP({ sizes: [d, ...hidden, d], activation: 'tanh', seed });
    this.diffusion = new MLP({ sizes: [d, ...hidden, d], activation: 'tanh', finalActivation: 'sigmoid', seed: seed + 100 });
  }
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ drift: this.drift, diffusion: this.diffusion });
  }
  step(s: tf.Tensor, xi: tf.Tensor): tf.Tensor {
    checkStep(this, s, xi);
    const bm = new GivenIncrementsBrownian(xi, this.substeps, this.stateDim);
    try {
      const sol = solve({
        terms: new SDETerm({ drift: (_t, y) => this.drift.apply(y), diffusion: (_t, y) => this.diffusion.apply(y), bm, noise: 'diagonal' }),
        solver: this.method,
        t0: 0,
        t1: 1,
        y0: s,
        dt0: 1 / this.substeps,
        saveAt: { t1: true },
      });
      const out = tf.squeeze(sol.ys as tf.Tensor, [0]);
      sol.dispose();
      return out;
    } finally {
      bm.dispose();
    }
  }
}
