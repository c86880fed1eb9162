/**
 * Latent ODE (Chen et al. 2018 §5; Rubanova et al. 2019): an encoder (ODE-RNN or RNN) reads the
 * observations backwards in time and gives a Gaussian q(z₀ | x); z₀ = μ + σ ⊙ ε (reparameterised);
 * a neural ODE carries z through time; a decoder maps z(t) to the mean of a Gaussian or Laplace
 * observation model. ELBO = E_q[Σ_observed log p(x_i | z(t_i))] − KL(q(z₀ | x) ‖ N(0, I)).
 */
import * as tf from '@tensorflow/tfjs';
import {
  BaseModule,
  InvalidArgumentError,
  Linear,
  MLP,
  ShapeError,
  collectParameters,
  type Module,
  assertPositiveInteger,
} from '@nde/core';
import type { MethodName } from '@nde/solvers';
import { assertQueryTimes, validateBatch, type IrregularBatch } from '../data/batch.js';
import { gaussianKL, observationLogLikelihood, type Likelihood } from '../layers/distributions.js';
import { MLPVectorField } from '../layers/vector-field.js';
import type { SequenceEncoder } from '../rnn/encoder.js';
import { ODERNN, evolve } from '../rnn/ode-rnn.js';
import { RNNBaseline } from '../rnn/rnn-baseline.js';

/** Options of {@link LatentODE}. */
export interface LatentODEOptions {
  /** Observed features. */
  dataDim: number;
  /** Latent dimension. */
  latentDim: number;
  /** 'odernn' (default) or 'rnn' (GRU with Δt inputs), run backwards over the observations. */
  encoder?: 'odernn' | 'rnn';
  /** Encoder hidden size (default 25). */
  encoderHidden?: number;
  /** Hidden widths of the latent dynamics (default [20]). */
  dynamicsHidden?: readonly number[];
  /** Hidden widths of the decoder (default [20]). */
  decoderHidden?: readonly number[];
  /** Observation model (default 'gaussian'). */
  likelihood?: Likelihood;
  /** Observation std (Gaussian) or scale (Laplace) (default 0.1). */
  obsScale?: number;
  /** Fixed-step method for the latent ODE and the ODE-RNN (default 'rk4'). */
  method?: MethodName;
  /** Largest solver step (default: one step per gap between requested times). */
  maxStep?: number;
  /**
   * Seed of the init and of the default ε stream (default 0): encoder `seed`, posterior map
   * `seed + 300`, dynamics `seed + 400`, decoder `seed + 500`.
   */
  seed?: number;
}

/** Posterior over z₀: `[batch, latent]` each (caller owns them). */
export interface Posterior {
  /** Posterior mean μ of z₀, `[batch, latent]`. */
  mean: tf.Tensor2D;
  /** Posterior standard deviation σ of z₀ (positive; log-std clipped to [−8, 4]), `[batch, latent]`. */
  std: tf.Tensor2D;
}

/** The parts of the ELBO (scalars averaged over sequences and samples; caller owns them). */
export interface ElboTerms {
  /** −(logLik − klWeight·kl): what to minimise. */
  loss: tf.Scalar;
  /** logLik − kl (at klWeight 1). */
  elbo: tf.Scalar;
  /** E_q Σ_observed log p(x | z). */
  logLik: tf.Scalar;
  /** KL(q(z₀ | x) ‖ p(z₀)). */
  kl: tf.Scalar;
}

/** Options of {@link LatentODE.elbo}. */
export interface ElboOptions {
  /** What to reconstruct (default: the observed batch itself — interpolation). */
  target?: IrregularBatch;
  /** Weight on the KL term (KL annealing; default 1). */
  klWeight?: number;
  /** Posterior samples per sequence (default 1). */
  nSamples?: number;
  /** Seed of ε (default: a fresh random seed). */
  seed?: number;
  /** Explicit ε `[nSamples·batch, latent]` (tests; overrides seed). */
  eps?: tf.Tensor2D;
}

/**
 * Latent ODE for irregularly sampled series: interpolation (reconstruct the observed times) and
 * extrapolation (decode at later times).
 *
 * @example
 * ```ts
 * const model = new LatentODE({ dataDim: 2, latentDim: 4, seed: 0 });
 * const opt = new Adam({ learningRate: 1e-2 });
 * opt.step(() => model.elbo(observed, { klWeight: 1 }).loss, model); // see elboLoss for a one-liner
 * const pred = model.predict(observed, [...observed.times, ...future.times]); // [batch, T, 2]
 * ```
 */
export class LatentODE extends BaseModule {
  /** Observed features per time. */
  readonly dataDim: number;
  /** Latent dimension. */
  readonly latentDim: number;
  /** Encoder run backwards over the observations ({@link ODERNN} or {@link RNNBaseline}). */
  readonly encoder: SequenceEncoder;
  /** Linear map from the encoder summary to `[mean | log-std]` of q(z₀ | x), `encoderHidden → 2·latentDim`. */
  readonly toPosterior: Linear;
  /** Autonomous latent vector field (ELU MLP) `latentDim → latentDim`. */
  readonly dynamics: MLPVectorField;
  /** ReLU MLP mapping z(t) `[…, latentDim]` to the observation mean/location `[…, dataDim]`. */
  readonly decoder: MLP;
  /** Observation model of the decoder output. */
  readonly likelihood: Likelihood;
  /** Fixed observation std (Gaussian) or scale (Laplace). */
  readonly obsScale: number;
  /** Fixed-step method of the latent ODE (and of the ODE-RNN encoder). */
  readonly method: MethodName;
  /** Largest solver step (`undefined`: one step per gap between consecutive times). */
  readonly maxStep: number | undefined;
  private readonly seedStream: { next: number };

  constructor(options: LatentODEOptions) {
    super();
    const { dataDim, latentDim } = options;
    assertPositiveInteger('dataDim', dataDim);
    assertPositiveInteger('latentDim', latentDim);
    this.dataDim = dataDim;
    this.latentDim = latentDim;
    const seed = options.seed ?? 0;
    const H = options.encoderHidden ?? 25;
    this.method = options.method ?? 'rk4';
    this.maxStep = options.maxStep;
    this.encoder =
      (options.encoder ?? 'odernn') === 'odernn'
        ? new ODERNN({ inputDim: dataDim, hiddenSize: H, method: this.method, ...(this.maxStep ? { maxStep: this.maxStep } : {}), seed })
        : new RNNBaseline({ inputDim: dataDim, hiddenSize: H, seed });
    this.toPosterior = new Linear({ inFeatures: H, outFeatures: 2 * latentDim, seed: seed + 300 });
    this.dynamics = new MLPVectorField({ dim: latentDim, hidden: options.dynamicsHidden ?? [20], activation: 'elu', seed: seed + 400 });
    this.decoder = new MLP({ sizes: [latentDim, ...(options.decoderHidden ?? [20]), dataDim], activation: 'relu', seed: seed + 500 });
    this.likelihood = options.likelihood ?? 'gaussian';
    this.obsScale = options.obsScale ?? 0.1;
    if (!(this.obsScale > 0)) throw new InvalidArgumentError('obsScale', `must be > 0 (got ${this.obsScale}).`);
    this.seedStream = { next: seed * 7919 + 1 };
  }

  /** Variables prefixed by part: `encoder.…`, `toPosterior.…`, `dynamics.…`, `decoder.…`. */
  namedParameters(): Record<string, tf.Variable> {
    const children: Record<string, Module> = {
      encoder: this.encoder,
      toPosterior: this.toPosterior,
      dynamics: this.dynamics,
      decoder: this.decoder,
    };
    return collectParameters(children);
  }

  private checkBatch(batch: IrregularBatch, argument: string): void {
    validateBatch(batch, argument);
    if (batch.values.shape[2] !== this.dataDim) {
      throw new ShapeError(
        `${argument}.values`,
        `has ${batch.values.shape[2]} features; the model was built with dataDim ${this.dataDim}.`,
      );
    }
  }

  /** q(z₀ | observed): the encoder run backwards, then a linear map to mean and log-std. */
  posterior(observed: IrregularBatch): Posterior {
    this.checkBatch(observed, 'observed');
    return tf.tidy(() => {
      const h = this.encoder.encode(observed, { reverse: true });
      const out = this.toPosterior.apply(h);
      const [mean, logStd] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { mean, std: tf.exp(tf.clipByValue(logStd, -8, 4)) as tf.Tensor2D };
    });
  }

  /**
   * Decode latent initial states `z0` `[n, latent]` given at time `t0` to the observation means at
   * `times` (all ≥ t0, increasing): `[n, times.length, dataDim]`.
   */
  decode(z0: tf.Tensor2D, t0: number, times: readonly number[]): tf.Tensor3D {
    if (z0.rank !== 2 || z0.shape[1] !== this.latentDim) throw new ShapeError('z0', `must be [n, ${this.latentDim}] (got [${z0.shape}]).`);
    times.forEach((t, i) => {
      const prev = i === 0 ? t0 : (times[i - 1] as number);
      if (!(t >= prev) || (i > 0 && t === prev)) {
        throw new InvalidArgumentError(
          'times',
          `must be increasing and ≥ t0 = ${t0} (entry ${i}: ${t}).`,
          'Decode only forwards from the time of z0.',
        );
      }
    });
    return tf.tidy(() => {
      let z: tf.Tensor = z0;
      let prev = t0;
      const zs: tf.Tensor[] = [];
      for (const t of times) {
        if (t > prev) z = evolve(this.dynamics.vf, z, prev, t, this.method, this.maxStep);
        zs.push(z);
        prev = t;
      }
      return this.decoder.apply(tf.stack(zs, 1)) as tf.Tensor3D;
    });
  }

  /** The per-sequence log-likelihood of `target` under decoded means `pred` ([batch]). */
  logLikelihood(target: IrregularBatch, pred: tf.Tensor): tf.Tensor1D {
    return observationLogLikelihood(this.likelihood, target.values, pred, this.obsScale, target.mask);
  }

  /**
   * The ELBO of `target` (default: `observed`) given the encoding of `observed`, with `nSamples`
   * reparameterised samples of z₀ at the first observed time.
   */
  elbo(observed: IrregularBatch, options: ElboOptions = {}): ElboTerms {
    this.checkBatch(observed, 'observed');
    const target = options.target ?? observed;
    if (options.target) this.checkBatch(target, 'target');
    if (target.values.shape[0] !== observed.values.shape[0]) {
      throw new ShapeError('target', `has ${target.values.shape[0]} sequences, observed has ${observed.values.shape[0]}.`);
    }
    const S = options.nSamples ?? 1;
    assertPositiveInteger('nSamples', S);
    const B = observed.values.shape[0];
    const t0 = observed.times[0] as number;
    if ((target.times[0] as number) < t0)
      throw new InvalidArgumentError(
        'target.times',
        `start at ${target.times[0]}, before the first observed time ${t0}.`,
        'Targets must not precede the observations z₀ is inferred at.',
      );
    if (options.eps && (options.eps.shape[0] !== S * B || options.eps.shape[1] !== this.latentDim)) {
      throw new ShapeError('eps', `must be [${S * B}, ${this.latentDim}] (got [${options.eps.shape}]).`);
    }
    const klWeight = options.klWeight ?? 1;
    return tf.tidy(() => {
      const { mean, std } = this.posterior(observed);
      const eps = options.eps ?? tf.randomNormal([S * B, this.latentDim], 0, 1, 'float32', options.seed ?? this.seedStream.next++);
      const z0 = tf.add(tf.tile(mean, [S, 1]), tf.mul(tf.tile(std, [S, 1]), eps)) as tf.Tensor2D;
      const pred = this.decode(z0, t0, target.times);
      const tiled = {
        times: target.times,
        values: tf.tile(target.values, [S, 1, 1]) as tf.Tensor3D,
        mask: tf.tile(target.mask, [S, 1, 1]) as tf.Tensor3D,
      };
      const logLik = tf.mean(this.logLikelihood(tiled, pred)) as tf.Scalar;
      const kl = tf.mean(gaussianKL(mean, std)) as tf.Scalar;
      return {
        loss: tf.neg(tf.sub(logLik, tf.mul(kl, klWeight))) as tf.Scalar,
        elbo: tf.sub(logLik, kl) as tf.Scalar,
        logLik,
        kl,
      };
    });
  }

  /**
   * Predict at `times` (≥ the first observed time): decode the posterior mean (default) or the
   * average of `nSamples` posterior samples. `[batch, times.length, dataDim]`, caller owns it.
   */
  predict(observed: IrregularBatch, times: readonly number[], options: { nSamples?: number; seed?: number } = {}): tf.Tensor3D {
    this.checkBatch(observed, 'observed');
    const t0 = observed.times[0] as number;
    assertQueryTimes('times', times, t0, { inclusive: true, where: '≥ the first observed time' });
    // Decode on the grid the ELBO integrates over (see predictionGrid), then keep the requested times.
    const { grid, index } = predictionGrid(observed.times, times);
    return tf.tidy(() => {
      const { mean, std } = this.posterior(observed);
      const S = options.nSamples ?? 0;
      const pick = (p: tf.Tensor3D): tf.Tensor3D => (grid.length === times.length ? p : (tf.gather(p, index, 1) as tf.Tensor3D));
      if (S === 0) return pick(this.decode(mean, t0, grid));
      const B = mean.shape[0];
      const eps = tf.randomNormal([S * B, this.latentDim], 0, 1, 'float32', options.seed ?? this.seedStream.next++);
      const z0 = tf.add(tf.tile(mean, [S, 1]), tf.mul(tf.tile(std, [S, 1]), eps)) as tf.Tensor2D;
      const pred = pick(this.decode(z0, t0, grid));
      return tf.mean(tf.reshape(pred, [S, B, times.length, this.dataDim]), 0) as tf.Tensor3D;
    });
  }
}

/**
 * The times `predict` decodes at. Training (`elbo`) integrates the latent ODE through every observed
 * time, so with a fixed-step method and no `maxStep` the learned dynamics are only meaningful at the
 * observed spacing; decoding straight from t₀ to a far time would take one huge step. The grid is the
 * union of the observed and requested times, with every gap wider than the widest observed gap split
 * evenly. `index[k]` is the position of `times[k]` in `grid`.
 */
function predictionGrid(observedTimes: readonly number[], times: readonly number[]): { grid: number[]; index: number[] } {
  const t0 = observedTimes[0] as number;
  let widest = 0;
  for (let i = 1; i < observedTimes.length; i++) widest = Math.max(widest, (observedTimes[i] as number) - (observedTimes[i - 1] as number));
  const lastRequested = times.length > 0 ? Math.max(...times) : t0;
  const points = [...new Set([...observedTimes.filter((t) => t <= lastRequested), ...times])].sort((a, b) => a - b);
  const grid: number[] = [];
  let prev = t0;
  for (const t of points) {
    if (widest > 0 && t - prev > widest * (1 + 1e-6)) {
      const n = Math.ceil((t - prev) / widest - 1e-9);
      for (let j = 1; j < n; j++) grid.push(prev + ((t - prev) * j) / n);
    }
    grid.push(t);
    prev = t;
  }
  const index = times.map((t) => grid.indexOf(t));
  return { grid, index };
}
