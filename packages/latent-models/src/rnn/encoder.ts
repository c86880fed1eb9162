/** The interface latent models use to summarise an irregular batch into a hidden state. */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '@nde/core';
import type { IrregularBatch } from '../data/batch.js';

/** Options of {@link SequenceEncoder.encode}. */
export interface EncodeOptions {
  /** Process the observations from the last time to the first (latent ODE/SDE encoders do). */
  reverse?: boolean;
}

/** Something that reads an irregular batch and returns a `[batch, hiddenSize]` summary. */
export interface SequenceEncoder extends Module {
  /** Width of the summary (last axis of `encode`/`encodeAll` results). */
  readonly hiddenSize: number;
  /** The summary after the last processed time (caller owns it). */
  encode(batch: IrregularBatch, options?: EncodeOptions): tf.Tensor2D;
  /** The summary after each processed time, in the batch's time order: `[times, batch, hidden]`. */
  encodeAll(batch: IrregularBatch, options?: EncodeOptions): tf.Tensor3D;
}
