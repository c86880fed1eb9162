/**
 * WGAN training of a {@link VideoGenerator} against a {@link VideoDiscriminator} (critic), with either
 * weight clipping (Arjovsky et al.) or singular value clipping (TGAN), both optimised with RMSprop as
 * in TGAN. {@link WganTrainer.step} is one iteration (`nCritic` critic updates, one generator update);
 * {@link trainWgan} is the loop with progress, periodic samples and checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import type { VideoDiscriminator } from '../discriminator.js';
import type { VideoGenerator } from '../generator.js';
import { assertPositiveInt } from '../layers.js';
import { checkpoint, type Checkpoint } from './checkpoint.js';
import { RMSprop } from './rmsprop.js';
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
  private readonly optD: RMSprop;
  private readonly optG: RMSprop;
  private iteration = 0;

  constructor(o: WganOptions) {
    assertPositiveInt('batchSize', o.batchSize);
    this.nCritic = o.nCritic ?? 1;
    assertPositiveInt('nCritic', this.nCritic);
    this.clipping = o.clipping ?? { kind: 'svc', every: 5 };
    if (this.clipping.kind !== 'weight' && this.clipping.kind !== 'svc')
      throw new InvalidArgumentError(
        'clipping.kind',
        `must be 'weight' or 'svc' (got ${String((this.clipping as { kind: unknown }).kind)}).`,
      );
    if (this.clipping.kind === 'svc' && this.clipping.every !== undefined) assertPositiveInt('clipping.every', this.clipping.every);
    this.generator = o.generator;
    this.discriminator = o.discriminator;
    this.batchSize = o.batchSize;
    const lr = o.learningRate ?? 5e-5;
    this.optD = new RMSprop(o.discriminator.parameters(), { learningRate: lr });
    this.optG = new RMSprop(o.generator.parameters(), { learningRate: o.generatorLearningRate ?? lr });
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
        this.optD.apply(grads);
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
    this.optG.apply(grads);
    const gLoss = value.dataSync()[0] as number;
    tf.dispose([value, grads]);
    return { iteration: this.iteration, dLoss, gLoss, seconds: (performance.now() - t0) / 1000 };
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
  /** Gets the generator and critic parameters. */
  onCheckpoint?: (iteration: number, state: { generator: Checkpoint; discriminator: Checkpoint }) => void | Promise<void>;
  /** Progress after every iteration (e.g. {@link textProgress}). */
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
 *   onProgress: textProgress('ode'),
 * });
 * ```
 */
export async function trainWgan(trainer: WganTrainer, o: TrainLoopOptions): Promise<TrainHistory> {
  assertPositiveInt('iterations', o.iterations);
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
        await o.onCheckpoint(s.iteration, { generator: checkpoint(trainer.generator), discriminator: checkpoint(trainer.discriminator) });
      }
    }
  } finally {
    fixed?.dispose();
  }
  history.secondsPerIteration = total / o.iterations;
  return history;
}

/**
 * A progress reporter for {@link trainWgan}: a text bar with losses and s/iter, redrawn in place on a
 * terminal, one line per 10 % otherwise (stderr in Node, console elsewhere).
 *
 * @param label - Text printed before the bar (e.g. the run's name).
 * @returns A callback for {@link TrainLoopOptions.onProgress}.
 * @example
 * ```ts
 * await trainWgan(trainer, { iterations: 100, data, onProgress: textProgress('ode seed 0') });
 * ```
 */
export function textProgress(label: string): NonNullable<TrainLoopOptions['onProgress']> {
  const proc = (globalThis as { process?: { stderr?: { isTTY?: boolean; write(s: string): void } } }).process;
  const tty = !!proc?.stderr?.isTTY;
  let lastDecile = -1;
  return (s) => {
    const frac = s.iteration / s.total;
    const width = 20;
    const filled = Math.round(frac * width);
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${s.iteration}/${s.total} dLoss ${s.dLoss.toFixed(4)} gLoss ${s.gLoss.toFixed(4)} ${s.meanSeconds.toFixed(2)} s/iter`;
    if (tty && proc?.stderr) {
      proc.stderr.write(`\r${line}${s.iteration === s.total ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile === lastDecile) return;
    lastDecile = decile;
    if (proc?.stderr) proc.stderr.write(`${line}\n`);
    else console.log(line);
  };
}
