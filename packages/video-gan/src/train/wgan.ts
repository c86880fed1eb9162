/**
 * WGAN training of a {@link VideoGenerator} against a {@link VideoDiscriminator} (critic), with either
 * weight clipping (Arjovsky et al.) or singular value clipping (TGAN), both optimised with RMSprop as
 * in TGAN. {@link WganTrainer.step} is one iteration (`nCritic` critic updates, one generator update);
 * {@link trainWgan} is the loop with progress, periodic samples and checkpoints. Checkpoints are `@nde/nn`'s
 * format (weights + RMSprop state + the iteration), one per network.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, assertPositiveInteger } from '@nde/core';
import { Optimizer, loadCheckpoint, saveCheckpoint } from '@nde/nn';
import type { VideoDiscriminator } from '../discriminator.js';
import type { VideoGenerator } from '../generator.js';
import { clipWeights, singularValueClip } from './svc.js';

/** How the critic is kept Lipschitz. */
export type Clipping =
  /** Every critic parameter clipped to `[-bound, bound]` after each critic update (WGAN; bound 0.01). */
  | { kind: 'weight'; bound?: number }
  /** Singular values of every critic weight clipped at 1 every `every` iterations (TGAN: 5). */
  | { kind: 'svc'; every?: number };

/** Options of {@link WganTrainer}. */
export interface WganOptions {
  /** Generator to train (updated in place; still owned by the caller). */
  generator: VideoGenerator;
  /** Critic to train (updated in place; still owned by the caller). */
  discriminator: VideoDiscriminator;
  /** Critic constraint (default `{ kind: 'svc', every: 5 }`). */
  clipping?: Clipping;
  /** RMSprop learning rate of both networks (TGAN: 5e-5). */
  learningRate?: number;
  /** Separate generator learning rate (default `learningRate`). */
  generatorLearningRate?: number;
  /** Critic updates per generator update (default 1, as TGAN; WGAN's paper uses 5). */
  nCritic?: number;
  /** Videos per batch. */
  batchSize: number;
}

/**
 * A trainer's state: one `@nde/nn` checkpoint (tfjs model artifacts: parameters, RMSprop state, metadata
 * `{ iteration }`) per network. Write one to disk with `fileSystemHandler(dir).save(artifacts)` (`@nde/data`)
 * and read it back with `tf.io.fromMemory` or `loadCheckpoint`.
 */
export interface WganCheckpoint {
  /** The generator's parameters and optimizer state. */
  generator: tf.io.ModelArtifacts;
  /** The critic's parameters and optimizer state. */
  discriminator: tf.io.ModelArtifacts;
}

async function toMemory(save: (h: tf.io.IOHandler) => Promise<unknown>): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return artifacts as tf.io.ModelArtifacts;
}

/** What one iteration did. */
export interface IterationStats {
  /** 1-based iteration number. */
  iteration: number;
  /** Critic loss `E[D(fake)] − E[D(real)]` of the last critic update. */
  dLoss: number;
  /** Generator loss `−E[D(fake)]`. */
  gLoss: number;
  /** Wall-clock seconds of the iteration. */
  seconds: number;
}

/**
 * One WGAN iteration at a time, with explicit optimiser state (no tensors leak between iterations).
 *
 * @example
 * ```ts
 * const trainer = new WganTrainer({ generator, discriminator, clipping: { kind: 'svc', every: 5 }, learningRate: 5e-5, batchSize: 16 });
 * const stats = trainer.step(() => data.batch(16));   // { iteration, dLoss, gLoss, seconds }
 * trainer.dispose();
 * ```
 */
export class WganTrainer {
  /** The generator being trained. */
  readonly generator: VideoGenerator;
  /** The critic being trained. */
  readonly discriminator: VideoDiscriminator;
  /** Critic constraint in use (default `{ kind: 'svc', every: 5 }`). */
  readonly clipping: Clipping;
  /** Critic updates per generator update. */
  readonly nCritic: number;
  /** Videos per real and per generated batch. */
  readonly batchSize: number;
  private readonly optD: Optimizer;
  private readonly optG: Optimizer;
  private iteration = 0;

  constructor(o: WganOptions) {
    assertPositiveInteger('batchSize', o.batchSize);
    this.nCritic = o.nCritic ?? 1;
    assertPositiveInteger('nCritic', this.nCritic);
    this.clipping = o.clipping ?? { kind: 'svc', every: 5 };
    if (this.clipping.kind !== 'weight' && this.clipping.kind !== 'svc')
      throw new InvalidArgumentError(
        'clipping.kind',
        `must be 'weight' or 'svc' (got ${String((this.clipping as { kind: unknown }).kind)}).`,
      );
    if (this.clipping.kind === 'svc' && this.clipping.every !== undefined) assertPositiveInteger('clipping.every', this.clipping.every);
    this.generator = o.generator;
    this.discriminator = o.discriminator;
    this.batchSize = o.batchSize;
    const lr = o.learningRate ?? 5e-5;
    this.optD = new Optimizer({ kind: 'rmsprop', learningRate: lr });
    this.optG = new Optimizer({ kind: 'rmsprop', learningRate: o.generatorLearningRate ?? lr });
    // State up front: a training step creates no long-lived tensors.
    this.optD.init(o.discriminator.parameters());
    this.optG.init(o.generator.parameters());
    if (this.clipping.kind === 'svc') singularValueClip(o.discriminator.parameters());
  }

  /** Iterations done so far. */
  get iterations(): number {
    return this.iteration;
  }

  /**
   * One iteration. `realBatch()` returns `[batchSize, T, H, W, C]` real videos in [-1, 1]; it is called
   * `nCritic` times and the batches are disposed here.
   */
  step(realBatch: () => tf.Tensor5D): IterationStats {
    const t0 = performance.now();
    const dVars = this.discriminator.parameters();
    const gVars = this.generator.parameters();
    let dLoss = 0;
    for (let k = 0; k < this.nCritic; k++) {
      const real = realBatch();
      try {
        if (real.shape[0] !== this.batchSize)
          throw new ShapeError('realBatch', `gave ${real.shape[0]} videos, batchSize is ${this.batchSize}.`);
        const fake = this.generator.sample(this.batchSize);
        const { value, grads } = tf.variableGrads(
          () => tf.sub(tf.mean(this.discriminator.apply(fake)), tf.mean(this.discriminator.apply(real))) as tf.Scalar,
          dVars,
        );
        this.optD.applyGradients(grads, dVars);
        dLoss = value.dataSync()[0] as number;
        tf.dispose([value, fake, grads]);
      } finally {
        real.dispose();
      }
      if (this.clipping.kind === 'weight') clipWeights(dVars, this.clipping.bound ?? 0.01);
    }
    this.iteration++;
    if (this.clipping.kind === 'svc' && this.iteration % (this.clipping.every ?? 5) === 0) singularValueClip(dVars);
    const { value, grads } = tf.variableGrads(
      () => tf.neg(tf.mean(this.discriminator.apply(this.generator.sample(this.batchSize)))) as tf.Scalar,
      gVars,
    );
    this.optG.applyGradients(grads, gVars);
    const gLoss = value.dataSync()[0] as number;
    tf.dispose([value, grads]);
    return { iteration: this.iteration, dLoss, gLoss, seconds: (performance.now() - t0) / 1000 };
  }

  /**
   * Both networks' parameters and optimizer state, in memory ({@link WganCheckpoint}).
   * @returns Model artifacts per network; the iteration is in their `userDefinedMetadata`.
   */
  async checkpoint(): Promise<WganCheckpoint> {
    const meta = { iteration: this.iteration };
    return {
      generator: await toMemory((h) => saveCheckpoint(this.generator, h, meta, { optimizer: this.optG })),
      discriminator: await toMemory((h) => saveCheckpoint(this.discriminator, h, meta, { optimizer: this.optD })),
    };
  }

  /**
   * Resume from {@link WganTrainer.checkpoint}: parameters, optimizer state and iteration count.
   * @param state - What `checkpoint()` (or `trainWgan`'s `onCheckpoint`) gave.
   * @throws InvalidArgumentError or ShapeError when the networks do not match the checkpoint.
   */
  async restore(state: WganCheckpoint): Promise<void> {
    const { metadata } = await loadCheckpoint(this.generator, tf.io.fromMemory(state.generator), { optimizer: this.optG });
    await loadCheckpoint(this.discriminator, tf.io.fromMemory(state.discriminator), { optimizer: this.optD });
    this.iteration = Number(metadata.iteration ?? 0);
  }

  /** Release the optimiser state (the networks stay with their owner). */
  dispose(): void {
    this.optD.dispose();
    this.optG.dispose();
  }
}

/** Options of {@link trainWgan}. */
export interface TrainLoopOptions {
  /** Iterations to run. */
  iterations: number;
  /** Real batches `[batchSize, T, H, W, C]` in [-1, 1] (disposed by the trainer). */
  data: () => tf.Tensor5D;
  /** Call {@link TrainLoopOptions.onSample} every this many iterations (and after the last). */
  sampleEvery?: number;
  /** Videos per sample call (default 16). */
  sampleCount?: number;
  /** Gets fixed-latent samples `[n, T, H, W, C]` (disposed after the call returns). */
  onSample?: (iteration: number, videos: tf.Tensor5D) => void | Promise<void>;
  /** Call {@link TrainLoopOptions.onCheckpoint} every this many iterations (and after the last). */
  checkpointEvery?: number;
  /** Gets the generator's and critic's parameters and optimizer state ({@link WganTrainer.checkpoint}). */
  onCheckpoint?: (iteration: number, state: WganCheckpoint) => void | Promise<void>;
  /** Progress after every iteration (the apps draw a bar from it). */
  onProgress?: (stats: IterationStats & { total: number; meanSeconds: number }) => void;
}

/** Losses and timing of a {@link trainWgan} run. */
export interface TrainHistory {
  /** Critic loss of every iteration (see {@link IterationStats.dLoss}). */
  dLoss: number[];
  /** Generator loss of every iteration (see {@link IterationStats.gLoss}). */
  gLoss: number[];
  /** Mean seconds per iteration. */
  secondsPerIteration: number;
}

/**
 * The training loop: iterations of {@link WganTrainer.step}, samples from a fixed latent batch every
 * `sampleEvery` iterations, checkpoints every `checkpointEvery`, progress after each iteration.
 *
 * @param trainer - The trainer to step (not disposed here).
 * @param o - Loop options: iteration count, data source and callbacks.
 * @returns Per-iteration losses and the mean seconds per iteration.
 * @example
 * ```ts
 * const history = await trainWgan(trainer, {
 *   iterations: 200, data: () => movingFashion.batch(16),
 *   sampleEvery: 50, onSample: (it, v) => saveGif(`samples-${it}.gif`, v),
 *   onProgress: (s) => console.log(`${s.iteration}/${s.total} dLoss ${s.dLoss}`),
 * });
 * ```
 */
export async function trainWgan(trainer: WganTrainer, o: TrainLoopOptions): Promise<TrainHistory> {
  assertPositiveInteger('iterations', o.iterations);
  const fixed = o.onSample ? trainer.generator.sampleLatent(o.sampleCount ?? 16) : undefined;
  const history: TrainHistory = { dLoss: [], gLoss: [], secondsPerIteration: 0 };
  let total = 0;
  try {
    for (let i = 1; i <= o.iterations; i++) {
      const s = trainer.step(o.data);
      history.dLoss.push(s.dLoss);
      history.gLoss.push(s.gLoss);
      total += s.seconds;
      o.onProgress?.({ ...s, total: o.iterations, meanSeconds: total / i });
      const last = i === o.iterations;
      if (fixed && o.onSample && (last || (o.sampleEvery && i % o.sampleEvery === 0))) {
        const videos = trainer.generator.apply(fixed, { key: 12345 });
        try {
          await o.onSample(s.iteration, videos);
        } finally {
          videos.dispose();
        }
      }
      if (o.onCheckpoint && (last || (o.checkpointEvery && i % o.checkpointEvery === 0))) {
        await o.onCheckpoint(s.iteration, await trainer.checkpoint());
      }
    }
  } finally {
    fixed?.dispose();
  }
  history.secondsPerIteration = total / o.iterations;
  return history;
}
