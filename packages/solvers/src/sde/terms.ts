/**
 * SDE terms: dy = f(t, y) dt + g(t, y) dW (Itô) or dy = f dt + g ∘ dW (Stratonovich).
 *
 * One class holds drift, diffusion, the Brownian motion, the noise structure and the calculus,
 * rather than diffrax's `MultiTerm(ODETerm, ControlTerm)`: SDE methods need f and g separately
 * (Milstein needs g itself, SRKs evaluate f and g at different stage points), the Brownian motion
 * carries the Lévy area some methods need, and noise type and calculus belong to the *pair*
 * (drift, diffusion) — the Itô↔Stratonovich correction changes the drift using the diffusion.
 * Keeping them together lets one place check that the shapes of y, g and dW fit.
 *
 * Shapes (state `y` is one tensor `[...batch, d]`, as in torchsde):
 * - `diagonal`: g like y; dW like y; g ⋅ dW is elementwise. g_i may depend on y_i only
 *   (elementwise diffusion), which the Milstein term and the calculus conversion assume.
 * - `scalar`:   g `[...batch, d, 1]`; dW `[...batch, 1]` (one Brownian motion per sample).
 * - `additive`: g `[...batch, d, m]` independent of y; dW `[...batch, m]`.
 * - `general`:  g `[...batch, d, m]`; dW `[...batch, m]`; g ⋅ dW is a matrix–vector product.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, UnsupportedError, isTensor, ownedResult, vjp, type Tree } from '@nde/core';
import type { BrownianMotion } from './brownian-motion.js';

/** How the noise enters the state. */
export type NoiseType = 'diagonal' | 'scalar' | 'additive' | 'general';
/** Which stochastic calculus the equation is written in. */
export type SdeType = 'ito' | 'stratonovich';

/** Drift or diffusion function of (t, y, args). */
export type SdeFunction<A = unknown> = (t: number, y: tf.Tensor, args: A) => tf.Tensor;

/**
 * Drift and diffusion at the same (t, y) in one call, `[f, g]` (torchsde's `f_and_g`): for SDEs whose drift
 * and diffusion share work (a latent SDE's KL channel needs g to form (f_post − f_prior)/g).
 */
export type SdeDriftAndDiffusion<A = unknown> = (t: number, y: tf.Tensor, args: A) => [tf.Tensor, tf.Tensor];

/** Constructor options of {@link SDETerm}. */
export interface SDETermOptions<A = unknown> {
  /** Drift f(t, y, args), shaped like y. */
  readonly drift: SdeFunction<A>;
  /** Diffusion g(t, y, args), shaped per `noise` (see the module doc). */
  readonly diffusion: SdeFunction<A>;
  /** The Brownian motion driving the equation (owned by the caller). */
  readonly bm: BrownianMotion;
  /** Noise structure (default 'diagonal'). */
  readonly noise?: NoiseType;
  /** Calculus (default 'ito'). */
  readonly sdeType?: SdeType;
  /**
   * Optional f and g at one point in one call; methods that need both at the same (t, y) (Euler) use it instead
   * of calling `drift` and `diffusion` separately. Must agree with them.
   */
  readonly driftAndDiffusion?: SdeDriftAndDiffusion<A>;
}

const NOISES: readonly NoiseType[] = ['diagonal', 'scalar', 'additive', 'general'];
const SDE_TYPES: readonly SdeType[] = ['ito', 'stratonovich'];

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;
// One shape comparison: tfjs's own.
const sameShape = (a: readonly number[], b: readonly number[]): boolean => tf.util.arraysEqual(a as number[], b as number[]);

/**
 * An SDE: drift, diffusion, the Brownian motion that drives it, its noise type and calculus.
 *
 * @example
 * ```ts
 * import { VirtualBrownianTree, key } from '@nde/brownian';
 * const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [1000, 1], key: key(0) });
 * const gbm = new SDETerm({
 *   drift: (t, y) => tf.mul(y, 0.5),
 *   diffusion: (t, y) => tf.mul(y, 0.3),
 *   bm, noise: 'diagonal', sdeType: 'ito',
 * });
 * ```
 */
export class SDETerm<A = unknown> {
  /** Tells `solve` to pick SDE methods for shared names ('euler', 'heun', 'midpoint'). */
  readonly kind = 'sde' as const;
  /** Drift `f(t, y, args)`, shaped like `y`. */
  readonly drift: SdeFunction<A>;
  /** Diffusion `g(t, y, args)`, shaped per `noise` (see the module doc). */
  readonly diffusion: SdeFunction<A>;
  /** The Brownian motion driving the equation (owned by the caller). */
  readonly bm: BrownianMotion;
  /** Noise structure: `'diagonal'` (the default), `'scalar'`, `'additive'` or `'general'`. */
  readonly noise: NoiseType;
  /** Calculus the equation is written in: `'ito'` (the default) or `'stratonovich'`. */
  readonly sdeType: SdeType;
  /** The combined `[f, g]` function when one was given (see {@link SDETermOptions.driftAndDiffusion}). */
  readonly driftAndDiffusion: SdeDriftAndDiffusion<A> | undefined;

  constructor(options: SDETermOptions<A>) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', 'must be an object { drift, diffusion, bm, noise, sdeType }.');
    }
    const { drift, diffusion, bm } = options;
    if (typeof drift !== 'function')
      throw new InvalidArgumentError('drift', `must be a function (t, y, args) => tensor (got ${typeof drift}).`);
    if (typeof diffusion !== 'function')
      throw new InvalidArgumentError('diffusion', `must be a function (t, y, args) => tensor (got ${typeof diffusion}).`);
    if (bm === undefined || bm === null || typeof (bm as { evaluate?: unknown }).evaluate !== 'function') {
      throw new InvalidArgumentError(
        'bm',
        'is missing: an SDE needs a Brownian motion.',
        "Pass e.g. bm: new VirtualBrownianTree({ t0, t1, shape, key: key(seed) }) from '@nde/brownian'.",
      );
    }
    const noise = options.noise ?? 'diagonal';
    const sdeType = options.sdeType ?? 'ito';
    if (!NOISES.includes(noise)) throw new InvalidArgumentError('noise', `must be one of ${NOISES.join(', ')} (got '${String(noise)}').`);
    if (!SDE_TYPES.includes(sdeType))
      throw new InvalidArgumentError('sdeType', `must be 'ito' or 'stratonovich' (got '${String(sdeType)}').`);
    this.drift = drift;
    this.diffusion = diffusion;
    this.bm = bm;
    this.noise = noise;
    this.sdeType = sdeType;
    if (options.driftAndDiffusion !== undefined && typeof options.driftAndDiffusion !== 'function') {
      throw new InvalidArgumentError(
        'driftAndDiffusion',
        `must be a function (t, y, args) => [f, g] (got ${typeof options.driftAndDiffusion}).`,
      );
    }
    this.driftAndDiffusion = options.driftAndDiffusion;
  }

  /**
   * Check the state against the Brownian motion's shape; returns y as a tensor.
   * @throws ShapeError naming `y0` or `bm` when they do not fit the noise type.
   */
  checkState(y: Tree): tf.Tensor {
    if (!isTensor(y))
      throw new ShapeError('y0', 'SDE solvers take one tensor as state (not a tree).', 'Concatenate the parts into one [batch, d] tensor.');
    const ws = this.bm.shape;
    if (this.noise === 'diagonal') {
      if (!sameShape(ws, y.shape)) {
        throw new ShapeError(
          'bm',
          `has shape ${fmt(ws)}, but diagonal noise needs one Brownian motion per state element: ${fmt(y.shape)}.`,
          'Create the Brownian motion with shape equal to y0.shape.',
        );
      }
      return y;
    }
    if (y.rank < 1) throw new ShapeError('y0', `must have a last (state) axis for '${this.noise}' noise (got a scalar).`);
    const lead = y.shape.slice(0, -1);
    if (ws.length !== y.rank || !sameShape(ws.slice(0, -1), lead) || (this.noise === 'scalar' && ws[ws.length - 1] !== 1)) {
      const want = this.noise === 'scalar' ? fmt([...lead, 1]) : fmt([...lead, 'm' as unknown as number]);
      throw new ShapeError(
        'bm',
        `has shape ${fmt(ws)}; '${this.noise}' noise with y0 of shape ${fmt(y.shape)} needs ${want}.`,
        'The Brownian shape is the batch shape followed by the number of Brownian motions.',
      );
    }
    return y;
  }

  /** Drift at (t, y), checked to have y's shape. */
  f(t: number, y: tf.Tensor, args: A): tf.Tensor {
    // Owned: a drift returning y itself (or a captured constant) comes back as a copy.
    const out = ownedResult(() => this.drift(t, y, args));
    if (!isTensor(out) || !sameShape(out.shape, y.shape)) {
      throw new ShapeError(
        'drift',
        `returned ${isTensor(out) ? `shape ${fmt(out.shape)}` : typeof out} for a state of shape ${fmt(y.shape)}.`,
        'The drift must return a tensor shaped like y.',
      );
    }
    return out;
  }

  /**
   * Drift and diffusion at (t, y), each checked as by {@link SDETerm.f} and {@link SDETerm.g}: one call of
   * `driftAndDiffusion` when given, else `f` then `g`.
   */
  fAndG(t: number, y: tf.Tensor, args: A): [tf.Tensor, tf.Tensor] {
    const both = this.driftAndDiffusion;
    if (both === undefined) return [this.f(t, y, args), this.g(t, y, args)];
    const [f, g] = ownedResult(() => both(t, y, args));
    if (!isTensor(f) || !sameShape(f.shape, y.shape)) {
      throw new ShapeError(
        'driftAndDiffusion',
        `returned a drift of ${isTensor(f) ? `shape ${fmt(f.shape)}` : typeof f} for a state of shape ${fmt(y.shape)}.`,
        'It must return [f, g] with f shaped like y.',
      );
    }
    const want = this.diffusionShape(y.shape);
    if (!isTensor(g) || !sameShape(g.shape, want)) {
      throw new ShapeError(
        'driftAndDiffusion',
        `returned a diffusion of ${isTensor(g) ? `shape ${fmt(g.shape)}` : typeof g}; '${this.noise}' noise with y of shape ${fmt(y.shape)} needs ${fmt(want)}.`,
        'It must return [f, g] with g shaped for the noise type.',
      );
    }
    return [f, g];
  }

  /** The diffusion shape this noise type needs for a state of shape `yShape`. */
  diffusionShape(yShape: readonly number[]): number[] {
    if (this.noise === 'diagonal') return [...yShape];
    return [...yShape, this.bm.shape[this.bm.shape.length - 1] as number];
  }

  /** Diffusion at (t, y), checked against the noise type and the Brownian shape. */
  g(t: number, y: tf.Tensor, args: A): tf.Tensor {
    const out = ownedResult(() => this.diffusion(t, y, args));
    const want = this.diffusionShape(y.shape);
    if (!isTensor(out) || !sameShape(out.shape, want)) {
      throw new ShapeError(
        'diffusion',
        `returned ${isTensor(out) ? `shape ${fmt(out.shape)}` : typeof out}; '${this.noise}' noise with y of shape ${fmt(y.shape)} and a Brownian motion of shape ${fmt(this.bm.shape)} needs ${fmt(want)}.`,
        this.noise === 'diagonal'
          ? 'Diagonal noise: g is elementwise and shaped like y.'
          : 'Non-diagonal noise: g is [...batch, d, m] with m the last Brownian axis.',
      );
    }
    return out;
  }

  /** g ⋅ dW for this noise type (elementwise for diagonal, a matrix–vector product otherwise). */
  prod(g: tf.Tensor, dW: tf.Tensor): tf.Tensor {
    return noiseProduct(this.noise, g, dW);
  }

  /** The cotangent of g in {@link SDETerm.prod} given the product's cotangent `a` (see {@link noiseProductTranspose}). */
  prodTranspose(a: tf.Tensor, dW: tf.Tensor): tf.Tensor {
    return noiseProductTranspose(this.noise, a, dW);
  }

  /** Diffusion at (t, y) times dW. */
  gProd(t: number, y: tf.Tensor, args: A, dW: tf.Tensor): tf.Tensor {
    return this.prod(this.g(t, y, args), dW);
  }

  /**
   * The Itô–Stratonovich drift correction ½ Σ_j (∂g_{·j}/∂y) g_{·j} at (t, y): Itô drift =
   * Stratonovich drift + correction. Zero for additive noise; for diagonal (elementwise) noise it
   * is ½ g ∂g/∂y, one vector–Jacobian product (`tf.grad` with upstream g, so it works on every
   * backend). Caller owns the result.
   * @throws UnsupportedError for scalar and general noise (needs Jacobian–vector products).
   */
  driftCorrection(t: number, y: tf.Tensor, args: A): tf.Tensor {
    if (this.noise === 'additive') return tf.zerosLike(y);
    if (this.noise !== 'diagonal') {
      throw new UnsupportedError(
        'noise',
        `the Itô↔Stratonovich conversion is implemented for diagonal and additive noise, not '${this.noise}'.`,
        'Write the equation in the calculus the solver uses, or pick a solver for it (heun/midpoint/reversible_heun for Stratonovich, euler/milstein for Itô).',
      );
    }
    return tf.tidy(() => {
      const g = this.g(t, y, args);
      // VJP with upstream g: Σ_i g_i ∂g_i/∂y_k = g_k ∂g_k/∂y_k for elementwise g.
      // Zeros when g does not depend on y (constant diffusion).
      const gdg = vjp(() => this.diffusion(t, y, args), [y], g)[0] as tf.Tensor;
      return tf.mul(gdg, 0.5);
    });
  }

  /** The same SDE in the other calculus (diagonal and additive noise), sharing this Brownian motion. */
  private converted(to: SdeType): SDETerm<A> {
    if (to === this.sdeType) return this;
    const sign = to === 'ito' ? 1 : -1;
    if (this.noise !== 'additive' && this.noise !== 'diagonal') {
      throw new UnsupportedError(
        'noise',
        `cannot convert '${this.noise}' noise between Itô and Stratonovich here (only diagonal and additive).`,
        'Write the equation in the calculus the solver needs.',
      );
    }
    const drift: SdeFunction<A> =
      this.noise === 'additive'
        ? this.drift
        : (t, y, args) => tf.tidy(() => tf.add(this.drift(t, y, args), tf.mul(this.driftCorrection(t, y, args), sign)));
    return new SDETerm<A>({ drift, diffusion: this.diffusion, bm: this.bm, noise: this.noise, sdeType: to });
  }

  /**
   * The equivalent Itô SDE (drift + ½ g ∂g/∂y). Diagonal and additive noise.
   * @example
   * ```ts
   * const ito = stratonovichTerm.toIto(); // solve with 'euler' or 'srk'
   * ```
   */
  toIto(): SDETerm<A> {
    return this.converted('ito');
  }

  /**
   * The equivalent Stratonovich SDE (drift − ½ g ∂g/∂y). Diagonal and additive noise.
   * @example
   * ```ts
   * const strat = itoTerm.toStratonovich(); // solve with 'heun' or 'reversible_heun'
   * ```
   */
  toStratonovich(): SDETerm<A> {
    return this.converted('stratonovich');
  }
}

/**
 * g ⋅ dW for a noise type: elementwise for diagonal; for scalar g `[..., d, 1]` times dW `[..., 1]`;
 * for additive/general Σ_j g[..., i, j] dW[..., j].
 *
 * @param noise - the noise type
 * @param g - the diffusion, shaped for that noise type
 * @param dW - the Brownian increment
 * @example
 * ```ts
 * const inc = noiseProduct('general', tf.ones([8, 3, 2]), tf.ones([8, 2])); // [8, 3]
 * ```
 */
export function noiseProduct(noise: NoiseType, g: tf.Tensor, dW: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (noise === 'diagonal') return tf.mul(g, dW);
    if (noise === 'scalar') return tf.mul(tf.squeeze(g, [g.rank - 1]), dW);
    return tf.sum(tf.mul(g, tf.expandDims(dW, -2)), -1);
  });
}

/**
 * The cotangent of g in {@link noiseProduct}: given the cotangent `a` of g ⋅ dW (shaped like y), the
 * gradient with respect to g, shaped like g: a ⊙ dW for diagonal noise, (a ⊙ dW) with a trailing
 * axis of 1 for scalar noise, the outer product a dWᵀ per batch element otherwise. Hand-written
 * backward steps use it instead of recording the product on a tape.
 *
 * @param noise - the noise type
 * @param a - the cotangent of the product, shaped like y
 * @param dW - the Brownian increment the product used
 * @example
 * ```ts
 * const ag = noiseProductTranspose('general', tf.ones([8, 3]), tf.ones([8, 2])); // [8, 3, 2]
 * ```
 */
export function noiseProductTranspose(noise: NoiseType, a: tf.Tensor, dW: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (noise === 'diagonal') return tf.mul(a, dW);
    if (noise === 'scalar') return tf.expandDims(tf.mul(a, dW), -1);
    return tf.mul(tf.expandDims(a, -1), tf.expandDims(dW, -2));
  });
}

/**
 * True when `terms` is an {@link SDETerm} (or looks like one: `kind === 'sde'`).
 *
 * @param terms - any value
 */
export function isSdeTerm(terms: unknown): terms is SDETerm {
  return terms instanceof SDETerm || (typeof terms === 'object' && terms !== null && (terms as { kind?: unknown }).kind === 'sde');
}
