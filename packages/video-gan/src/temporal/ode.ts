/**
 * Neural-ODE temporal generator (Gordon & Parde): the per-frame latents are the solution of
 * `dz/dt = f_θ(z)` started at `z(0) = z0` and read at the frame times. The paper's vector field is
 * `tanh(Linear(100, 100))` (10,100 parameters), solved with fixed-step RK4 on `linspace(0, 1, 16)`.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, collectParameters, assertFloatTree, assertPositiveInteger } from '@nde/core';
import { odeint, type MethodName } from '@nde/solvers';
import { Dense } from '../layers.js';
import { linspace, solveGrid, type GenerateOptions, type TemporalGenerator } from './types.js';

/** Options of {@link OdeTemporalGenerator}. */
export interface OdeTemporalOptions {
  /** Latent width (z0 and every per-frame latent; the paper: 100). */
  dim?: number;
  /** Frames of the training grid `linspace(0, 1, numFrames)` (default 16). */
  numFrames?: number;
  /** Hidden width: omitted → `tanh(Linear(dim, dim))`; given → `Linear(dim, hidden) → tanh → Linear(hidden, dim)`. */
  hidden?: number;
  /** Solver (default `'rk4'`, stepping on the output grid as torchdiffeq's fixed-grid rk4). */
  method?: MethodName;
  /** Fixed step for fixed-step methods (default: step on the output grid). */
  dt?: number;
  /** Relative tolerance of adaptive methods (`'dopri5'`, `'tsit5'`, …; default 1e-3). */
  rtol?: number;
  /** Absolute tolerance of adaptive methods (default 1e-4). */
  atol?: number;
  /** Seed of the init. */
  seed?: number;
}

/**
 * Parameters of the ODE vector field: `d² + d` (single layer) or `2·d·h + h + d` (hidden layer).
 *
 * @param dim - Latent width `d`.
 * @param hidden - Hidden width `h` (omit for the single-layer field).
 * @example
 * ```ts
 * odeTemporalParameterCount(100);       // 10100
 * odeTemporalParameterCount(100, 256);  // 51556
 * ```
 */
export function odeTemporalParameterCount(dim: number, hidden?: number): number {
  return hidden === undefined ? dim * dim + dim : 2 * dim * hidden + hidden + dim;
}

/**
 * Neural-ODE temporal generator.
 *
 * @example
 * ```ts
 * const tg = new OdeTemporalGenerator({ dim: 100, numFrames: 16, seed: 0 });
 * tg.parameterCountFormula();                                           // 10100
 * const z0 = tf.randomNormal([8, 100]) as tf.Tensor2D;
 * const zs = tg.generate(z0);                                           // [8, 16, 100]
 * const more = tg.generate(z0, { ts: linspace(0, 2, 64) });             // 64 frames, beyond t = 1
 * ```
 */
export class OdeTemporalGenerator extends BaseModule implements TemporalGenerator {
  readonly kind = 'ode' as const;
  readonly latentDim: number;
  readonly frameLatentDim: number;
  readonly numFrames: number;
  /** Hidden width of the vector field (`undefined` for the single-layer `tanh(Linear(dim, dim))`). */
  readonly hidden: number | undefined;
  /** Dense layers of the vector field: one `[dim, dim]`, or `[dim, hidden]` then `[hidden, dim]` (Xavier init, gain √2). */
  readonly layers: Dense[];
  private readonly opts: OdeTemporalOptions;

  constructor(options: OdeTemporalOptions = {}) {
    super();
    const { dim = 100, numFrames = 16, hidden, seed = 0 } = options;
    assertPositiveInteger('dim', dim);
    assertPositiveInteger('numFrames', numFrames);
    if (hidden !== undefined) assertPositiveInteger('hidden', hidden);
    if (options.dt !== undefined && !(options.dt > 0)) throw new InvalidArgumentError('dt', `must be > 0 (got ${options.dt}).`);
    this.latentDim = dim;
    this.frameLatentDim = dim;
    this.numFrames = numFrames;
    this.hidden = hidden;
    this.opts = options;
    this.layers =
      hidden === undefined
        ? [new Dense({ inFeatures: dim, outFeatures: dim, seed: seed * 1000 + 11, init: 'xavier' })]
        : [
            new Dense({ inFeatures: dim, outFeatures: hidden, seed: seed * 1000 + 11, init: 'xavier' }),
            new Dense({ inFeatures: hidden, outFeatures: dim, seed: seed * 1000 + 12, init: 'xavier' }),
          ];
  }

  namedParameters(): Record<string, tf.Variable> {
    return collectParameters(Object.fromEntries(this.layers.map((l, i) => [`fn.${i}`, l])));
  }

  parameterCountFormula(): number {
    return odeTemporalParameterCount(this.latentDim, this.hidden);
  }

  /** The vector field `f_θ(z)` (autonomous, as in the paper). */
  vectorField(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = this.layers as [Dense, Dense | undefined];
      const h = tf.tanh(a.apply(z));
      return b ? b.apply(h) : h;
    });
  }

  generate(z0: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor3D {
    assertFloatTree('z0', z0);
    if (z0.rank !== 2 || z0.shape[1] !== this.latentDim)
      throw new InvalidArgumentError('z0', `must be [batch, ${this.latentDim}] (got [${z0.shape}]).`);
    const { grid, drop } = solveGrid(options.ts ?? linspace(0, 1, this.numFrames));
    const o = this.opts;
    return tf.tidy(() => {
      const ys =
        grid.length === 1
          ? z0.expandDims(0)
          : odeint((_t: number, y: tf.Tensor) => this.vectorField(y), z0 as tf.Tensor, grid, {
              method: o.method ?? 'rk4',
              ...(o.dt !== undefined ? { dt: o.dt } : {}),
              rtol: o.rtol ?? 1e-3,
              atol: o.atol ?? 1e-4,
            });
      const kept = drop ? ys.slice(drop) : ys;
      return kept.transpose([1, 0, 2]) as tf.Tensor3D;
    });
  }
}
