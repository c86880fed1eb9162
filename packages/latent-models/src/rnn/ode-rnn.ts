/**
 * ODE-RNN (Rubanova et al. 2019): between observations the hidden state follows a neural ODE; at an
 * observation a GRU updates it from the observed values and their mask. Sequences with nothing
 * observed at a time keep their evolved state (the mask decides, per sequence).
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, collectParameters, assertPositiveInteger } from '@nde/core';
import { ODETerm, solve, type MethodName } from '@nde/solvers';
import { GRUCell } from '@nde/nn';
import { MLPVectorField } from '../layers/vector-field.js';
import { validateBatch, type IrregularBatch } from '../data/batch.js';
import type { EncodeOptions, SequenceEncoder } from './encoder.js';

/** Options of {@link ODERNN}. */
export interface ODERNNOptions {
  /** Features per observation. */
  inputDim: number;
  /** Hidden state size. */
  hiddenSize: number;
  /** Hidden widths of the ODE's MLP (default [hiddenSize]). */
  odeHidden?: readonly number[];
  /** Fixed-step method between observations (default 'rk4'). */
  method?: MethodName;
  /** Largest step between observations (default: one step per gap). */
  maxStep?: number;
  /** Seed of the init: the GRU uses `seed`, the ODE's MLP `seed + 100` (default 0). */
  seed?: number;
}

/**
 * One GRU update from the input [x ⊙ m, m, extra…] (unmasked: every sequence updates). Call inside `tf.tidy`.
 * @param cell - The GRU; its `inputSize` must be `2·d` plus the width of `extra`.
 * @param h - Hidden state, `[batch, hiddenSize]`.
 * @param x - Values at this time, `[batch, d]` (masked entries are zeroed).
 * @param m - Observation mask at this time, `[batch, d]`, 0/1.
 * @param extra - Optional further inputs appended to the GRU input, `[batch, k]` (e.g. Δt).
 * @returns The new hidden state, `[batch, hiddenSize]`.
 */
export function gruStep(cell: GRUCell, h: tf.Tensor, x: tf.Tensor, m: tf.Tensor, extra?: tf.Tensor): tf.Tensor {
  return cell.apply(h, tf.concat([tf.mul(x, m), m, ...(extra ? [extra] : [])], 1));
}

/**
 * One masked GRU update: sequences with no observed feature keep `h`. Tidied: only the result
 * remains, a new tensor owned by the caller.
 * @param cell - The GRU; its `inputSize` must be `2·d` plus the width of `extra`.
 * @param h - Hidden state, `[batch, hiddenSize]`.
 * @param x - Values at this time, `[batch, d]`.
 * @param m - Observation mask at this time, `[batch, d]`, 0/1; a row of zeros leaves that sequence's `h` unchanged.
 * @param extra - Optional further inputs appended to the GRU input, `[batch, k]`.
 * @returns The updated hidden state, `[batch, hiddenSize]`.
 */
export function maskedGruUpdate(cell: GRUCell, h: tf.Tensor, x: tf.Tensor, m: tf.Tensor, extra?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const hNew = gruStep(cell, h, x, m, extra);
    const any = tf.max(m, 1, true);
    return tf.add(tf.mul(any, hNew), tf.mul(tf.sub(1, any), h));
  });
}

/**
 * Evolve `h` from t0 to t1 under `vf` with fixed steps. Call inside `tf.tidy` (the solve's intermediates are left to it).
 * @param vf - The vector field `(t, h) => dh/dt`.
 * @param h - State at `t0`, e.g. `[batch, hiddenSize]` (not disposed).
 * @param t0 - Start time.
 * @param t1 - End time (may be before `t0`: integrates backwards).
 * @param method - Fixed-step solver of `@nde/solvers` (e.g. `'rk4'`, `'euler'`).
 * @param maxStep - Largest step: `ceil(|t1 − t0| / maxStep)` equal steps are taken (default: a single step).
 * @returns The state at `t1`, the shape of `h`.
 */
export function evolve(
  vf: (t: number, y: tf.Tensor) => tf.Tensor,
  h: tf.Tensor,
  t0: number,
  t1: number,
  method: MethodName,
  maxStep?: number,
): tf.Tensor {
  const span = t1 - t0;
  const n = maxStep ? Math.max(1, Math.ceil(Math.abs(span) / maxStep - 1e-9)) : 1;
  const sol = solve({ terms: new ODETerm(vf), solver: method, t0, t1, y0: h, dt0: span / n, saveAt: { t1: true }, checkFinite: false });
  return tf.squeeze(sol.ys as tf.Tensor, [0]);
}

/**
 * ODE-RNN encoder.
 *
 * @example
 * ```ts
 * const enc = new ODERNN({ inputDim: 2, hiddenSize: 25, seed: 0 });
 * const h = enc.encode(batch, { reverse: true }); // [batch, 25]
 * ```
 */
export class ODERNN extends BaseModule implements SequenceEncoder {
  /** Hidden state size. */
  readonly hiddenSize: number;
  /** Features per observation. */
  readonly inputDim: number;
  /** GRU applied at observations; its input is `[x ⊙ m, m]` (`2·inputDim` wide). */
  readonly cell: GRUCell;
  /** Autonomous MLP vector field evolving the hidden state between observations. */
  readonly dynamics: MLPVectorField;
  /** Fixed-step method between observations. */
  readonly method: MethodName;
  /** Largest step between observations (`undefined`: one step per gap). */
  readonly maxStep: number | undefined;

  constructor(options: ODERNNOptions) {
    super();
    const { inputDim, hiddenSize } = options;
    assertPositiveInteger('inputDim', inputDim);
    this.inputDim = inputDim;
    this.hiddenSize = hiddenSize;
    const seed = options.seed ?? 0;
    this.cell = new GRUCell({ inputSize: 2 * inputDim, hiddenSize, seed });
    this.dynamics = new MLPVectorField({ dim: hiddenSize, hidden: options.odeHidden ?? [hiddenSize], seed: seed + 100 });
    this.method = options.method ?? 'rk4';
    this.maxStep = options.maxStep;
  }

  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ cell: this.cell, dynamics: this.dynamics });
  }

  private run(batch: IrregularBatch, options: EncodeOptions, keep: boolean): { h: tf.Tensor; all: tf.Tensor[] } {
    validateBatch(batch);
    if (batch.values.shape[2] !== this.inputDim) {
      throw new InvalidArgumentError('batch.values', `has ${batch.values.shape[2]} features; this ODERNN takes ${this.inputDim}.`);
    }
    const [B, T] = batch.values.shape;
    const order = Array.from({ length: T }, (_, i) => (options.reverse ? T - 1 - i : i));
    const xs = tf.unstack(batch.values, 1);
    const ms = tf.unstack(batch.mask, 1);
    let h: tf.Tensor = tf.zeros([B, this.hiddenSize]);
    const all: tf.Tensor[] = new Array<tf.Tensor>(T);
    let prev: number | undefined;
    for (const i of order) {
      const t = batch.times[i] as number;
      if (prev !== undefined) {
        h = evolve(this.dynamics.vf, h, prev, t, this.method, this.maxStep);
      }
      h = maskedGruUpdate(this.cell, h, xs[i] as tf.Tensor, ms[i] as tf.Tensor);
      if (keep) all[i] = h;
      prev = t;
    }
    return { h, all };
  }

  encode(batch: IrregularBatch, options: EncodeOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.run(batch, options, false).h as tf.Tensor2D);
  }

  encodeAll(batch: IrregularBatch, options: EncodeOptions = {}): tf.Tensor3D {
    return tf.tidy(() => tf.stack(this.run(batch, options, true).all) as tf.Tensor3D);
  }
}
