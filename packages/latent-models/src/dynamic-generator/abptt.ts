/**
 * Alternating back-propagation through time with persistent chains and truncation: every training
 * sequence is cut into chunks of `chunkLength` frames (truncated BPTT, each chunk with its own
 * inferred initial state), each chunk keeps its latents across epochs, and an epoch alternates
 * (1) Langevin inference of every chunk's latents and (2) parameter learning.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import type { DynamicGenerator, DynamicLatents } from './model.js';

/** Options of {@link ABPTTTrainer}. */
export interface ABPTTOptions {
  /** Frames per chunk (default: the whole sequence). */
  chunkLength?: number;
  /** Langevin steps per epoch (default 10). */
  langevinSteps?: number;
  /** Langevin step size (default 0.1). */
  stepSize?: number;
  /** Learning steps per epoch (default 1). */
  learnSteps?: number;
  /** Learning rate of Adam (default 1e-3). */
  learningRate?: number;
  /** Seed of the Langevin noise; epoch e uses `seed·7777 + e` (default 0). */
  seed?: number;
  /**
   * Observed (1) / missing (0) entries of `data`, shape `[N, T, 1|H, 1|W, 1|C]`: learning from
   * incomplete sequences (missing frames or regions); the latents then complete them.
   */
  mask?: tf.Tensor;
}

/** One epoch's numbers. */
export interface ABPTTEpoch {
  /** Index of this epoch (0-based). */
  epoch: number;
  /** Mean squared reconstruction error per pixel (observed entries, mask applied) after inference, before learning. */
  reconstructionMse: number;
}

/**
 * Trainer of a {@link DynamicGenerator} on sequences `[N, T, H, W, C]` (values in [−1, 1]).
 *
 * @example
 * ```ts
 * const trainer = new ABPTTTrainer(model, frames, { chunkLength: 8, langevinSteps: 10 });
 * for (let e = 0; e < 30; e++) console.log(trainer.epoch().reconstructionMse);
 * trainer.dispose();
 * ```
 */
export class ABPTTTrainer {
  /** The data cut into chunks, `[N·T/chunkLength, chunkLength, H, W, C]` (owned by the trainer). */
  readonly chunks: tf.Tensor5D;
  /** The persistent latents of every chunk (owned by the trainer, replaced by each {@link ABPTTTrainer.epoch}). */
  latents: DynamicLatents;
  /** Adam optimiser of the model's parameters (owned by the trainer). */
  readonly optimizer: tf.Optimizer;
  /** The mask cut into chunks like the data (undefined when fully observed). */
  readonly mask: tf.Tensor | undefined;
  private epochs = 0;
  private readonly o: Required<Omit<ABPTTOptions, 'chunkLength' | 'mask'>>;

  /**
   * @param model - The model to train (not owned: {@link ABPTTTrainer.dispose} leaves it alone).
   * @param data - Training sequences `[N, T, H, W, C]` in [−1, 1]; `T` must be a multiple of `chunkLength`.
   * @param options - Chunking, Langevin and learning settings, seed and mask.
   * @throws ShapeError for data or mask of the wrong rank/shape; InvalidArgumentError when `chunkLength` does not divide `T` or is below 2.
   */
  constructor(
    readonly model: DynamicGenerator,
    data: tf.Tensor,
    options: ABPTTOptions = {},
  ) {
    if (data.rank !== 5) throw new ShapeError('data', `expected [N, T, H, W, C], got [${data.shape}].`);
    const [N, T] = data.shape as [number, number, number, number, number];
    const L = options.chunkLength ?? T;
    if (!(Number.isInteger(L) && L >= 2 && T % L === 0))
      throw new InvalidArgumentError('chunkLength', `must be an integer ≥ 2 dividing T = ${T} (got ${L}).`);
    const rest = data.shape.slice(2);
    this.chunks = data.reshape([N * (T / L), L, ...rest]) as tf.Tensor5D;
    if (options.mask) {
      const m = options.mask;
      if (m.rank !== 5 || m.shape[0] !== N || m.shape[1] !== T)
        throw new ShapeError('mask', `expected [${N}, ${T}, …] (rank 5), got [${m.shape}].`);
      this.mask = m.reshape([N * (T / L), L, ...m.shape.slice(2)]);
    } else this.mask = undefined;
    this.o = {
      langevinSteps: options.langevinSteps ?? 10,
      stepSize: options.stepSize ?? 0.1,
      learnSteps: options.learnSteps ?? 1,
      learningRate: options.learningRate ?? 1e-3,
      seed: options.seed ?? 0,
    };
    this.latents = model.zeroLatents(N * (T / L), L);
    this.optimizer = tf.train.adam(this.o.learningRate);
  }

  /** One alternation: persistent-chain Langevin inference, then learning. */
  epoch(): ABPTTEpoch {
    const next = this.model.infer(this.chunks, this.latents, {
      steps: this.o.langevinSteps,
      stepSize: this.o.stepSize,
      seed: this.o.seed * 7777 + this.epochs,
      ...(this.mask ? { mask: this.mask } : {}),
    });
    tf.dispose([this.latents.s0, this.latents.xi]);
    this.latents = next;
    let mse = NaN;
    for (let k = 0; k < this.o.learnSteps; k++) {
      const v = this.model.learnStep(this.optimizer, this.chunks, this.latents, this.mask);
      if (k === 0) mse = v;
    }
    return { epoch: this.epochs++, reconstructionMse: mse };
  }

  /** Release the chunks, latents and optimiser (not the model). */
  dispose(): void {
    tf.dispose([this.chunks, this.latents.s0, this.latents.xi]);
    this.mask?.dispose();
    this.optimizer.dispose();
  }
}
