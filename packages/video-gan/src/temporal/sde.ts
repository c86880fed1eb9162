/**
 * Neural-SDE temporal generator (Gordon & Parde): `dz = f_θ(z) dt + g_φ(z) ∘ dW` with diagonal noise,
 * drift and diffusion each `tanh(Linear(d, d))`, started at `z(0) = z0`. The paper solves the Itô SDE
 * with Euler–Maruyama and `dt = 0.025` on `[0, 1]`; reversible Heun (Stratonovich) is the alternative.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, collectParameters, assertFloatTree, assertPositiveInteger } from '@nde/core';
import { VirtualBrownianTree, fold, key as makeKey, type Key } from '@nde/brownian';
import { sdeint } from '@nde/solvers';
import { Dense } from '../layers.js';
import { linspace, solveGrid, type GenerateOptions, type TemporalGenerator } from './types.js';

/** Options of {@link SdeTemporalGenerator}. */
export interface SdeTemporalOptions {
  /** Latent width (the paper: 100). */
  dim?: number;
  /** Frames of the training grid `linspace(0, 1, numFrames)` (default 16). */
  numFrames?: number;
  /** `'euler'` (Euler–Maruyama, Itô; the paper) or `'reversible_heun'` (Stratonovich). */
  method?: 'euler' | 'reversible_heun';
  /** Step size (default 0.025, the paper's). */
  dt?: number;
  /** Seed of the init and of the noise stream. */
  seed?: number;
}

/**
 * Parameters of drift + diffusion: `2·(d² + d)`.
 *
 * @param dim - Latent width `d`.
 * @example
 * ```ts
 * sdeTemporalParameterCount(100); // 20200
 * ```
 */
export function sdeTemporalParameterCount(dim: number): number {
  return 2 * (dim * dim + dim);
}

/**
 * Neural-SDE temporal generator.
 *
 * @example
 * ```ts
 * const tg = new SdeTemporalGenerator({ dim: 100, numFrames: 16, method: 'euler', dt: 0.025, seed: 0 });
 * const zs = tg.generate(tf.randomNormal([8, 100]) as tf.Tensor2D, { key: 3 }); // [8, 16, 100]
 * ```
 */
export class SdeTemporalGenerator extends BaseModule implements TemporalGenerator {
  readonly kind = 'sde' as const;
  readonly latentDim: number;
  readonly frameLatentDim: number;
  readonly numFrames: number;
  /** Solver: `'euler'` (Euler–Maruyama, Itô) or `'reversible_heun'` (Stratonovich). */
  readonly method: 'euler' | 'reversible_heun';
  /** Fixed step size of the solver. */
  readonly dt: number;
  /** Drift layer `[dim, dim]`; the drift is `tanh(drift(z))`. */
  readonly drift: Dense;
  /** Diffusion layer `[dim, dim]`; the diagonal diffusion is `tanh(diffusion(z))`. */
  readonly diffusion: Dense;
  private readonly noiseKey: Key;
  private calls = 0;

  constructor({ dim = 100, numFrames = 16, method = 'euler', dt = 0.025, seed = 0 }: SdeTemporalOptions = {}) {
    super();
    assertPositiveInteger('dim', dim);
    assertPositiveInteger('numFrames', numFrames);
    if (!(dt > 0 && Number.isFinite(dt))) throw new InvalidArgumentError('dt', `must be a finite number > 0 (got ${dt}).`);
    if (method !== 'euler' && method !== 'reversible_heun')
      throw new InvalidArgumentError('method', `must be 'euler' or 'reversible_heun' (got ${String(method)}).`);
    this.latentDim = dim;
    this.frameLatentDim = dim;
    this.numFrames = numFrames;
    this.method = method;
    this.dt = dt;
    this.drift = new Dense({ inFeatures: dim, outFeatures: dim, seed: seed * 1000 + 21, init: 'xavier' });
    this.diffusion = new Dense({ inFeatures: dim, outFeatures: dim, seed: seed * 1000 + 22, init: 'xavier' });
    this.noiseKey = fold(makeKey(seed), 0x5de);
  }

  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ drift: this.drift, diffusion: this.diffusion });
  }

  parameterCountFormula(): number {
    return sdeTemporalParameterCount(this.latentDim);
  }

  generate(z0: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor3D {
    assertFloatTree('z0', z0);
    if (z0.rank !== 2 || z0.shape[1] !== this.latentDim)
      throw new InvalidArgumentError('z0', `must be [batch, ${this.latentDim}] (got [${z0.shape}]).`);
    const { grid, drop } = solveGrid(options.ts ?? linspace(0, 1, this.numFrames));
    const noise = options.key === undefined ? fold(this.noiseKey, this.calls++) : options.key;
    return tf.tidy(() => {
      let ys: tf.Tensor;
      if (grid.length === 1) {
        ys = z0.expandDims(0);
      } else {
        const t1 = grid[grid.length - 1] as number;
        const bm = new VirtualBrownianTree({ t0: 0, t1, shape: z0.shape, key: noise, tol: this.dt / 8 });
        ys = sdeint(
          {
            f: (_t, y) => tf.tanh(this.drift.apply(y)),
            g: (_t, y) => tf.tanh(this.diffusion.apply(y)),
            noiseType: 'diagonal',
            sdeType: this.method === 'euler' ? 'ito' : 'stratonovich',
          },
          z0,
          grid,
          { method: this.method, dt: this.dt, bm, checkFinite: false },
        );
      }
      const kept = drop ? ys.slice(drop) : ys;
      return kept.transpose([1, 0, 2]) as tf.Tensor3D;
    });
  }
}
