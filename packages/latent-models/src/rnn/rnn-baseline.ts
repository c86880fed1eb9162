/**
 * The plain RNN baseline with time-delta inputs (the Neural ODE paper's comparison, Rubanova's
 * "RNN-Δt"): a GRU reads [x ⊙ m, m, Δt] at every grid time, and a readout maps [h, time-to-target]
 * to the next observation. It forecasts autoregressively, feeding its own predictions back.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, MLP, collectParameters, assertPositiveInteger } from '@nde/core';
import { GRUCell } from '@nde/nn';
import { maskedMSE } from '../layers/distributions.js';
import { assertQueryTimes, validateBatch, type IrregularBatch } from '../data/batch.js';
import { gruStep } from './ode-rnn.js';
import type { EncodeOptions, SequenceEncoder } from './encoder.js';

/** Options of {@link RNNBaseline}. */
export interface RNNBaselineOptions {
  /** Features per observation. */
  inputDim: number;
  /** GRU hidden state size. */
  hiddenSize: number;
  /** Hidden widths of the readout (default [hiddenSize]). */
  readoutHidden?: readonly number[];
  /** Seed of the init: the GRU uses `seed`, the readout MLP `seed + 200` (default 0). */
  seed?: number;
}

/**
 * GRU over irregular observations with Δt inputs.
 *
 * @example
 * ```ts
 * const rnn = new RNNBaseline({ inputDim: 2, hiddenSize: 25, seed: 0 });
 * const loss = rnn.oneStepLoss(batch);                 // teacher-forced training loss
 * const pred = rnn.forecast(observed, future.times);  // [batch, future.times.length, 2]
 * ```
 */
export class RNNBaseline extends BaseModule implements SequenceEncoder {
  /** GRU hidden state size. */
  readonly hiddenSize: number;
  /** Features per observation. */
  readonly inputDim: number;
  /** GRU reading `[x ⊙ m, m, Δt]` (`2·inputDim + 1` wide) at every grid time. */
  readonly cell: GRUCell;
  /** MLP mapping `[h, time-to-target]` (`hiddenSize + 1`) to the predicted observation (`inputDim`). */
  readonly readout: MLP;

  constructor(options: RNNBaselineOptions) {
    super();
    const { inputDim, hiddenSize } = options;
    assertPositiveInteger('inputDim', inputDim);
    this.inputDim = inputDim;
    this.hiddenSize = hiddenSize;
    const seed = options.seed ?? 0;
    this.cell = new GRUCell({ inputSize: 2 * inputDim + 1, hiddenSize, seed });
    this.readout = new MLP({ sizes: [hiddenSize + 1, ...(options.readoutHidden ?? [hiddenSize]), inputDim], seed: seed + 200 });
  }

  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ cell: this.cell, readout: this.readout });
  }

  private check(batch: IrregularBatch, argument: string): void {
    validateBatch(batch, argument);
    if (batch.values.shape[2] !== this.inputDim) {
      throw new InvalidArgumentError(`${argument}.values`, `has ${batch.values.shape[2]} features; this RNN takes ${this.inputDim}.`);
    }
  }

  /**
   * One GRU update from [x ⊙ m, m, Δt]. It runs at every grid time, observed or not (unlike the
   * ODE-RNN's masked update): skipping unobserved times would hide how long ago the last observation
   * was, since Δt is the gap between grid times.
   */
  private step(h: tf.Tensor, x: tf.Tensor, m: tf.Tensor, dt: number): tf.Tensor {
    return tf.tidy(() => gruStep(this.cell, h, x, m, tf.fill([h.shape[0] as number, 1], dt)));
  }

  private predictNext(h: tf.Tensor, dtToTarget: number): tf.Tensor {
    return tf.tidy(() => this.readout.apply(tf.concat([h, tf.fill([h.shape[0] as number, 1], dtToTarget)], 1)));
  }

  /** Hidden states after each time (in processing order when reversed): internal driver. */
  private hiddens(batch: IrregularBatch, reverse: boolean): tf.Tensor[] {
    const [B, T] = batch.values.shape;
    const xs = tf.unstack(batch.values, 1);
    const ms = tf.unstack(batch.mask, 1);
    const out: tf.Tensor[] = new Array<tf.Tensor>(T);
    let h: tf.Tensor = tf.zeros([B, this.hiddenSize]);
    let prev: number | undefined;
    for (let k = 0; k < T; k++) {
      const i = reverse ? T - 1 - k : k;
      const t = batch.times[i] as number;
      h = this.step(h, xs[i] as tf.Tensor, ms[i] as tf.Tensor, prev === undefined ? 0 : Math.abs(t - prev));
      out[i] = h;
      prev = t;
    }
    return out;
  }

  encode(batch: IrregularBatch, options: EncodeOptions = {}): tf.Tensor2D {
    this.check(batch, 'batch');
    return tf.tidy(() => {
      const hs = this.hiddens(batch, options.reverse ?? false);
      return hs[options.reverse ? 0 : hs.length - 1] as tf.Tensor2D;
    });
  }

  encodeAll(batch: IrregularBatch, options: EncodeOptions = {}): tf.Tensor3D {
    this.check(batch, 'batch');
    return tf.tidy(() => tf.stack(this.hiddens(batch, options.reverse ?? false)) as tf.Tensor3D);
  }

  /**
   * Teacher-forced one-step-ahead predictions: the values at grid time i+1 from the state after time i
   * and the gap, `[batch, times.length − 1, inputDim]` (caller owns it). Entry i predicts time i+1.
   */
  predictOneStep(batch: IrregularBatch): tf.Tensor3D {
    this.check(batch, 'batch');
    return tf.tidy(() => {
      const hs = this.hiddens(batch, false);
      const preds = [];
      for (let i = 0; i < batch.times.length - 1; i++)
        preds.push(this.predictNext(hs[i] as tf.Tensor, (batch.times[i + 1] as number) - (batch.times[i] as number)));
      return tf.stack(preds, 1) as tf.Tensor3D;
    });
  }

  /**
   * Teacher-forced one-step-ahead loss: masked MSE of {@link RNNBaseline.predictOneStep} over the
   * observed targets (a scalar, caller owns it).
   */
  oneStepLoss(batch: IrregularBatch): tf.Scalar {
    this.check(batch, 'batch');
    return tf.tidy(() => {
      const pred = this.predictOneStep(batch);
      const [B, T, D] = batch.values.shape;
      const target = tf.slice(batch.values, [0, 1, 0], [B, T - 1, D]);
      const mask = tf.slice(batch.mask, [0, 1, 0], [B, T - 1, D]);
      return maskedMSE(target, pred, mask);
    });
  }

  /**
   * Read `observed`, then predict at each of `times` (all after the last observed time), feeding each
   * prediction back as an input. Returns `[batch, times.length, inputDim]` (caller owns it).
   * @throws InvalidArgumentError when `times` do not follow the observed grid.
   */
  forecast(observed: IrregularBatch, times: readonly number[]): tf.Tensor3D {
    this.check(observed, 'observed');
    const last = observed.times[observed.times.length - 1] as number;
    assertQueryTimes('times', times, last, { inclusive: false, where: 'after the last observed time' });
    return tf.tidy(() => {
      const hs = this.hiddens(observed, false);
      let h = hs[hs.length - 1] as tf.Tensor;
      let prev = last;
      const ones = tf.ones([observed.values.shape[0], this.inputDim]);
      const out: tf.Tensor[] = [];
      times.forEach((t, i) => {
        const y = this.predictNext(h, t - prev);
        out.push(y);
        if (i < times.length - 1) h = this.step(h, y, ones, t - prev);
        prev = t;
      });
      return tf.stack(out, 1) as tf.Tensor3D;
    });
  }
}
