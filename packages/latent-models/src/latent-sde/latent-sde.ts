/**
 * Latent SDE (Li et al. 2020; torchsde's `examples/latent_sde_lorenz.py`): a GRU reads the observations
 * backwards and gives a context per time; q(z₀) comes from the first context; the posterior drift
 * f_post(t, z, ctx(t)) and the prior drift f_prior(t, z) share one diagonal diffusion g(z); a linear
 * projector maps z(t) to the observation mean (Laplace or Gaussian). The ELBO is
 *   E_q[Σ_observed log p(x_i | z(t_i))] − KL(q(z₀) ‖ p(z₀)) − E_q ∫ ½|u|² dt,  u = (f_post − f_prior)/g,
 * with the optional sticking-the-landing estimator of the path term (see `posteriorPathKL`).
 */
import * as tf from '@tensorflow/tfjs';
import { BrownianPath } from '@nde/brownian';
import {
  BaseModule,
  InvalidArgumentError,
  Linear,
  ShapeError,
  assertPositive,
  checkpointedScan,
  collectParameters,
  assertPositiveInteger,
  type ScanStep,
} from '@nde/core';
import { sdeint, type AdjointMethod, type MethodName } from '@nde/solvers';
import { validateBatch, type IrregularBatch } from '../data/batch.js';
import { DetachableMLP } from '../layers/detachable-mlp.js';
import { DiagonalDiffusion } from '../layers/diagonal-diffusion.js';
import { gaussianKL, observationLogLikelihood, type Likelihood } from '../layers/distributions.js';
import { GRUCell } from '@nde/nn';
import { maskedGruUpdate } from '../rnn/ode-rnn.js';
import { posteriorPathKL, type PathKLOptions } from './path-kl.js';

/** Options of {@link LatentSDE}. */
export interface LatentSDEOptions {
  /** Observed features per time. */
  dataDim: number;
  /** Latent state dimension. */
  latentDim: number;
  /** Context size passed to the posterior drift (default 8). */
  contextDim?: number;
  /** GRU hidden size of the encoder (default 16). */
  encoderHidden?: number;
  /** Hidden width of the drift networks (default 32, two hidden layers). */
  hidden?: number;
  /** Hidden width of each diffusion coordinate's network (default 16). */
  diffusionHidden?: number;
  /** Observation model (default 'laplace', as the talk's 1-D example). */
  likelihood?: Likelihood;
  /** Observation scale (default 0.1). */
  obsScale?: number;
  /** SDE step (default 0.02). */
  dt?: number;
  /** Itô method (default 'euler'). */
  method?: MethodName;
  /**
   * Seed of the init and of the default sampling stream (default 0): encoder GRU `seed`, context map
   * `seed + 10`, q(z₀) map `+ 20`, posterior drift `+ 30`, prior drift `+ 40`, diffusion `+ 50`, projector `+ 60`.
   */
  seed?: number;
}

/** The ELBO of a latent SDE (scalars averaged over sequences and samples; caller owns them). */
export interface LatentSDEElbo {
  /** −(logLik − klWeight·(kl0 + klPath)): what to minimise. */
  loss: tf.Scalar;
  /** logLik − kl0 − klPath (at klWeight 1). */
  elbo: tf.Scalar;
  /** E_q Σ_observed log p(x | z) per sequence, in nats. */
  logLik: tf.Scalar;
  /** KL(q(z₀) ‖ p(z₀)). */
  kl0: tf.Scalar;
  /** Path KL estimate ∫ ½|u|² dt (+ ∫ u·dW with STL). */
  klPath: tf.Scalar;
}

/** Options of {@link LatentSDE.elbo}. */
export interface LatentSDEElboOptions {
  /** Weight on both KL terms, kl0 + klPath (KL annealing; default 1). */
  klWeight?: number;
  /** Posterior samples per sequence (default 1). */
  nSamples?: number;
  /** Seed of ε and of the Brownian motion (default: a fresh one per call). */
  seed?: number;
  /** Sticking-the-landing gradient estimator (default false). */
  stl?: boolean;
  /**
   * How to differentiate the posterior solve (from `@nde/adjoint`; default: backprop through every
   * step). `new RecursiveCheckpointAdjoint({ checkpoints: 16 })` gives the same gradients while
   * keeping one segment's tape at a time: what large batches need to fit in memory.
   */
  adjoint?: AdjointMethod;
  /** Checkpoint the encoder GRU's gradient in this many segments (default: plain backprop); see {@link LatentSDE.contexts}. */
  encoderCheckpoints?: number;
}

/** Index of the context used at time t: the first observation strictly after t (torchsde's bisect), clamped. */
function contextIndex(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, times.length - 1);
}

/**
 * Latent SDE for irregular time series.
 *
 * @example
 * ```ts
 * const model = new LatentSDE({ dataDim: 1, latentDim: 2, seed: 0 });
 * const opt = new Adam({ learningRate: 1e-2 });
 * opt.step(() => model.elbo(batch, { klWeight: 0.5, seed: i }).loss, model);
 * const prior = model.samplePrior(16, batch.times, { seed: 1 });   // [16, T, 1]
 * ```
 */
export class LatentSDE extends BaseModule {
  /** Observed features per time. */
  readonly dataDim: number;
  /** Latent state dimension. */
  readonly latentDim: number;
  /** Width of the per-time context fed to the posterior drift. */
  readonly contextDim: number;
  /** Encoder GRU, run backwards over `[x ⊙ m, m]` (`2·dataDim` wide). */
  readonly encoderCell: GRUCell;
  /** Linear map from the encoder state to the context, `encoderHidden → contextDim`. */
  readonly toContext: Linear;
  /** Linear map from the first context to `[mean | log-std]` of q(z₀), `contextDim → 2·latentDim`. */
  readonly qz0: Linear;
  /** Learned prior mean of z₀, `[1, latentDim]` (initialised to 0). */
  readonly pz0Mean: tf.Variable;
  /** Learned prior log-std of z₀, `[1, latentDim]` (initialised to 0). */
  readonly pz0LogStd: tf.Variable;
  /** Posterior drift f_post([z, ctx(t)]), softplus MLP `latentDim + contextDim → hidden → hidden → latentDim`. */
  readonly posteriorNet: DetachableMLP;
  /** Prior drift f_prior(z), softplus MLP `latentDim → hidden → hidden → latentDim`. */
  readonly priorNet: DetachableMLP;
  /** Diagonal diffusion g(z) shared by the posterior and the prior, values in (0, 1). */
  readonly diffusion: DiagonalDiffusion;
  /** Linear map from z(t) to the observation mean/location, `latentDim → dataDim`. */
  readonly projector: Linear;
  /** Observation model. */
  readonly likelihood: Likelihood;
  /** Fixed observation scale (Laplace b or Gaussian std). */
  readonly obsScale: number;
  /** Fixed SDE solver step. */
  readonly dt: number;
  /** Itô SDE method. */
  readonly method: MethodName;
  private nextSeed: number;

  constructor(options: LatentSDEOptions) {
    super();
    const { dataDim, latentDim } = options;
    assertPositiveInteger('dataDim', dataDim);
    assertPositiveInteger('latentDim', latentDim);
    this.dataDim = dataDim;
    this.latentDim = latentDim;
    const C = options.contextDim ?? 8;
    const He = options.encoderHidden ?? 16;
    const H = options.hidden ?? 32;
    this.contextDim = C;
    const seed = options.seed ?? 0;
    this.encoderCell = new GRUCell({ inputSize: 2 * dataDim, hiddenSize: He, seed });
    this.toContext = new Linear({ inFeatures: He, outFeatures: C, seed: seed + 10 });
    this.qz0 = new Linear({ inFeatures: C, outFeatures: 2 * latentDim, seed: seed + 20 });
    this.pz0Mean = tf.variable(tf.zeros([1, latentDim]));
    this.pz0LogStd = tf.variable(tf.zeros([1, latentDim]));
    this.posteriorNet = new DetachableMLP({ sizes: [latentDim + C, H, H, latentDim], activation: 'softplus', seed: seed + 30 });
    this.priorNet = new DetachableMLP({ sizes: [latentDim, H, H, latentDim], activation: 'softplus', seed: seed + 40 });
    this.diffusion = new DiagonalDiffusion({ dim: latentDim, hidden: options.diffusionHidden ?? 16, seed: seed + 50 });
    this.projector = new Linear({ inFeatures: latentDim, outFeatures: dataDim, seed: seed + 60 });
    this.likelihood = options.likelihood ?? 'laplace';
    this.obsScale = options.obsScale ?? 0.1;
    this.dt = options.dt ?? 0.02;
    assertPositive('obsScale', this.obsScale);
    assertPositive('dt', this.dt);
    this.method = options.method ?? 'euler';
    this.nextSeed = seed * 104729 + 17;
  }

  /**
   * Variables prefixed by part (`encoderCell.…`, `toContext.…`, `qz0.…`, `posteriorNet.…`, `priorNet.…`,
   * `diffusion.…`, `projector.…`) plus `pz0Mean` and `pz0LogStd`.
   */
  namedParameters(): Record<string, tf.Variable> {
    return {
      ...collectParameters({
        encoderCell: this.encoderCell,
        toContext: this.toContext,
        qz0: this.qz0,
        posteriorNet: this.posteriorNet,
        priorNet: this.priorNet,
        diffusion: this.diffusion,
        projector: this.projector,
      }),
      pz0Mean: this.pz0Mean,
      pz0LogStd: this.pz0LogStd,
    };
  }

  private check(batch: IrregularBatch, argument: string): void {
    validateBatch(batch, argument);
    if (batch.values.shape[2] !== this.dataDim) {
      throw new ShapeError(
        `${argument}.values`,
        `has ${batch.values.shape[2]} features; the model was built with dataDim ${this.dataDim}.`,
      );
    }
  }

  /**
   * Contexts `[times, batch, contextDim]`: a GRU run from the last time to the first. With
   * `checkpoints`, its gradient is checkpointed in that many segments (`checkpointedScan`): the same
   * gradients, one segment's activations in memory at a time.
   */
  contexts(batch: IrregularBatch, options: { checkpoints?: number } = {}): tf.Tensor3D {
    this.check(batch, 'batch');
    return tf.tidy(() => {
      const [B, T] = batch.values.shape;
      const h0 = tf.zeros([B, this.encoderCell.hiddenSize]);
      // Per-time inputs as one list (values at 0..T−1, then masks): a step picks its entries without a
      // kernel, and the checkpointed scan saves them for its backward pass.
      const data = [...tf.unstack(batch.values, 1), ...tf.unstack(batch.mask, 1)];
      // Step j reads time T − 1 − j.
      const step = (h: tf.Tensor, j: number, d: readonly tf.Tensor[]): ScanStep => {
        const i = T - 1 - j;
        const next = maskedGruUpdate(this.encoderCell, h, d[i] as tf.Tensor, d[T + i] as tf.Tensor);
        return { state: next, output: this.toContext.apply(next) };
      };
      if (options.checkpoints !== undefined) {
        const params = [...this.encoderCell.parameters(), ...this.toContext.parameters()];
        return tf.reverse(checkpointedScan({ step, steps: T, h0, data, segments: options.checkpoints, params }), 0) as tf.Tensor3D;
      }
      let h: tf.Tensor = h0;
      const out = new Array<tf.Tensor>(T);
      for (let j = 0; j < T; j++) {
        const r = step(h, j, data);
        h = r.state;
        out[T - 1 - j] = r.output;
      }
      return tf.stack(out) as tf.Tensor3D;
    });
  }

  /** Prior drift h(t, z). */
  priorDrift(t: number, z: tf.Tensor, detach = false): tf.Tensor {
    return this.priorNet.apply(z, { detach });
  }

  /**
   * The contexts of `S` copies of `batch`, one `[S·B, contextDim]` tensor per time, and q(z₀)'s mean
   * and std `[S·B, latent]` from the first time's context.
   */
  private encodePosterior(
    batch: IrregularBatch,
    S: number,
    checkpoints?: number,
  ): { ctx: tf.Tensor2D[]; mean: tf.Tensor2D; std: tf.Tensor2D } {
    const contexts = this.contexts(batch, checkpoints !== undefined ? { checkpoints } : {});
    const ctx = tf.unstack(S === 1 ? contexts : tf.tile(contexts, [1, S, 1])) as tf.Tensor2D[];
    const [mean, logStd] = tf.split(this.qz0.apply(ctx[0] as tf.Tensor2D), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { ctx, mean, std: tf.exp(tf.clipByValue(logStd, -8, 4)) };
  }

  /** The posterior drift over `times`, reading time i's context from the solve's `args` (the list of contexts). */
  private posteriorDriftOver(times: readonly number[]): PathKLOptions['posteriorDrift'] {
    return (t, z, detach, context) => {
      const ctx = (context as readonly tf.Tensor[])[contextIndex(times, t)] as tf.Tensor;
      return this.posteriorNet.apply(tf.concat([z, ctx], 1), { detach });
    };
  }

  /** The seed to use for a call (explicit, or the next of this model's stream). */
  private seedFor(seed: number | undefined): number {
    return seed ?? this.nextSeed++;
  }

  /** The ELBO of `batch` (interpolation: the posterior sees every observation it reconstructs). */
  elbo(batch: IrregularBatch, options: LatentSDEElboOptions = {}): LatentSDEElbo {
    this.check(batch, 'batch');
    const S = options.nSamples ?? 1;
    assertPositiveInteger('nSamples', S);
    const seed = this.seedFor(options.seed);
    const klWeight = options.klWeight ?? 1;
    const B = batch.values.shape[0];
    const times = batch.times;
    return tf.tidy(() => {
      const { ctx, mean, std } = this.encodePosterior(batch, S, options.encoderCheckpoints);
      const eps = tf.randomNormal([S * B, this.latentDim], 0, 1, 'float32', seed);
      const z0 = tf.add(mean, tf.mul(std, eps)) as tf.Tensor2D;
      const bm = new BrownianPath({
        t0: times[0] as number,
        t1: times[times.length - 1] as number,
        shape: [S * B, this.latentDim],
        key: seed,
      });
      const { zs, logqp } = posteriorPathKL({
        posteriorDrift: this.posteriorDriftOver(times),
        priorDrift: (t, z) => this.priorDrift(t, z),
        diffusion: (_t, z) => this.diffusion.apply(z),
        z0,
        times,
        dt: this.dt,
        bm,
        stl: options.stl ?? false,
        method: this.method,
        context: ctx,
        ...(options.adjoint ? { adjoint: options.adjoint } : {}),
      });
      const pred = tf.transpose(this.projector.apply(zs), [1, 0, 2]); // [S·B, T, D]
      const values = tf.tile(batch.values, [S, 1, 1]);
      const mask = tf.tile(batch.mask, [S, 1, 1]);
      const logLik = tf.mean(observationLogLikelihood(this.likelihood, values, pred, this.obsScale, mask)) as tf.Scalar;
      const kl0 = tf.mean(gaussianKL(mean, std, this.pz0Mean, tf.exp(this.pz0LogStd))) as tf.Scalar;
      const klPath = tf.mean(logqp) as tf.Scalar;
      const kl = tf.add(kl0, klPath);
      return {
        loss: tf.neg(tf.sub(logLik, tf.mul(kl, klWeight))) as tf.Scalar,
        elbo: tf.sub(logLik, kl) as tf.Scalar,
        logLik,
        kl0,
        klPath,
      };
    });
  }

  /** Solve the prior SDE from `z0` over `times`: latent paths `[times, n, latent]`. */
  private priorPaths(z0: tf.Tensor2D, times: readonly number[], seed: number): tf.Tensor3D {
    const bm = new BrownianPath({ t0: times[0] as number, t1: times[times.length - 1] as number, shape: [...z0.shape], key: seed });
    return sdeint({ f: (t, z) => this.priorDrift(t, z), g: (_t, z) => this.diffusion.apply(z), noiseType: 'diagonal' }, z0, times, {
      method: this.method,
      dt: this.dt,
      bm,
      checkFinite: false,
    }) as tf.Tensor3D;
  }

  /**
   * `n` samples from the prior: z₀ ~ p(z₀), then the prior SDE; returns observation means
   * `[n, times.length, dataDim]` (caller owns it).
   */
  samplePrior(n: number, times: readonly number[], options: { seed?: number } = {}): tf.Tensor3D {
    assertPositiveInteger('n', n);
    if (times.length < 2) throw new InvalidArgumentError('times', 'needs at least two times.');
    const seed = this.seedFor(options.seed);
    return tf.tidy(() => {
      const eps = tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed);
      const z0 = tf.add(this.pz0Mean, tf.mul(tf.exp(this.pz0LogStd), eps)) as tf.Tensor2D;
      return tf.transpose(this.projector.apply(this.priorPaths(z0, times, seed + 1)), [1, 0, 2]) as tf.Tensor3D;
    });
  }

  /**
   * Posterior samples given `batch`: `nSamples` paths per sequence over `batch.times`, continued with
   * the prior SDE over `futureTimes` (forecasting). Returns observation means
   * `[nSamples, batch, times + future, dataDim]` (caller owns it).
   */
  samplePosterior(batch: IrregularBatch, options: { nSamples?: number; seed?: number; futureTimes?: readonly number[] } = {}): tf.Tensor4D {
    this.check(batch, 'batch');
    const S = options.nSamples ?? 1;
    const future = options.futureTimes ?? [];
    const last = batch.times[batch.times.length - 1] as number;
    future.forEach((t, i) => {
      if (!(t > (i === 0 ? last : (future[i - 1] as number)))) {
        throw new InvalidArgumentError('futureTimes', `must be increasing and after the last observed time ${last} (entry ${i}: ${t}).`);
      }
    });
    const seed = this.seedFor(options.seed);
    const B = batch.values.shape[0];
    const times = batch.times;
    return tf.tidy(() => {
      const { ctx, mean, std } = this.encodePosterior(batch, S);
      const z0 = tf.add(mean, tf.mul(std, tf.randomNormal([S * B, this.latentDim], 0, 1, 'float32', seed))) as tf.Tensor2D;
      const bm = new BrownianPath({ t0: times[0] as number, t1: last, shape: [S * B, this.latentDim], key: seed });
      const { zs } = posteriorPathKL({
        posteriorDrift: this.posteriorDriftOver(times),
        priorDrift: (t, z) => this.priorDrift(t, z),
        diffusion: (_t, z) => this.diffusion.apply(z),
        z0,
        times,
        dt: this.dt,
        bm,
        method: this.method,
        context: ctx,
      });
      let all: tf.Tensor = zs;
      if (future.length > 0) {
        const zLast = tf.squeeze(tf.slice(zs, [times.length - 1, 0, 0], [1, S * B, this.latentDim]), [0]) as tf.Tensor2D;
        const cont = this.priorPaths(zLast, [last, ...future], seed + 1);
        all = tf.concat([zs, tf.slice(cont, [1, 0, 0], [future.length, S * B, this.latentDim])], 0);
      }
      const pred = tf.transpose(this.projector.apply(all), [1, 0, 2]); // [S·B, T', D]
      return tf.reshape(pred, [S, B, times.length + future.length, this.dataDim]) as tf.Tensor4D;
    });
  }

  /**
   * Forecast `futureTimes` from `observed`: the mean of `nSamples` posterior-then-prior paths,
   * `[batch, futureTimes.length, dataDim]` (caller owns it).
   */
  predict(observed: IrregularBatch, futureTimes: readonly number[], options: { nSamples?: number; seed?: number } = {}): tf.Tensor3D {
    if (futureTimes.length === 0) throw new InvalidArgumentError('futureTimes', 'is empty.');
    return tf.tidy(() => {
      const s = this.samplePosterior(observed, { ...options, futureTimes });
      const T = observed.times.length;
      const [S, B, , D] = s.shape;
      return tf.mean(tf.slice(s, [0, 0, T, 0], [S, B, futureTimes.length, D]), 0) as tf.Tensor3D;
    });
  }
}
