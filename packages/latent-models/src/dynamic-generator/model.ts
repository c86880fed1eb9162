/**
 * The dynamic generator of Xie, Gao, Zheng, Zhu & Wu ("Learning dynamic generator model by
 * alternating back-propagation through time", AAAI 2019):
 *   s_0 ~ N(0, I),  s_{t+1} = F(s_t, ξ_t),  ξ_t ~ N(0, I),  x_t = g(s_t) + ε_t,  ε_t ~ N(0, σ² I).
 * Latents of a sequence are (s_0, ξ_{0..T−2}); inference is Langevin dynamics on them, learning is
 * gradient descent on the reconstruction given the inferred latents.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, ShapeError, collectParameters } from '@nde/core';
import type { FrameGenerator } from './frame-generator.js';
import { langevinStep } from './langevin.js';
import type { Transition } from './transition.js';

/** Latent variables of a batch of sequences (owned by whoever holds them). */
export interface DynamicLatents {
  /** Initial states `[n, stateDim]`. */
  s0: tf.Tensor2D;
  /** Transition noise `[n, T − 1, noiseDim]`. */
  xi: tf.Tensor3D;
}

/** Options of {@link DynamicGenerator}. */
export interface DynamicGeneratorOptions {
  /** Frame generator g(s) (its `stateDim` must equal the transition's); owned by the model from now on. */
  generator: FrameGenerator;
  /** State transition F(s, ξ); owned by the model from now on. */
  transition: Transition;
  /** Observation noise σ of x_t = g(s_t) + ε (default 0.3 for frames in [−1, 1]). */
  sigma?: number;
}

/** Options of {@link DynamicGenerator.infer}. */
export interface InferOptions {
  /** Langevin steps (default 10). */
  steps?: number;
  /** Langevin step size δ (default 0.1). */
  stepSize?: number;
  /** Seed of the injected noise. */
  seed?: number;
  /** Observed entries (1) vs missing (0), broadcastable to the frames `[n, T, H, W, C]`. */
  mask?: tf.Tensor;
  /** Drop the Langevin noise (MAP refinement). */
  noiseless?: boolean;
}

/**
 * Frames `[n, T, H, W, C]` = g(s_t) with s_t rolled out by the transition.
 *
 * @example
 * ```ts
 * const model = new DynamicGenerator({
 *   generator: new FrameGenerator({ stateDim: 16, size: 32 }),
 *   transition: new MLPTransition({ stateDim: 16, noiseDim: 8 }),
 * });
 * const z = model.priorLatents(4, 10, 0);          // s0 ~ N(0, I), ξ ~ N(0, I)
 * const frames = model.decode(z);                   // [4, 10, 32, 32, 1]
 * const z2 = model.infer(frames, z, { steps: 20 }); // Langevin on p(s0, ξ | x)
 * ```
 */
export class DynamicGenerator extends BaseModule {
  /** Frame generator g(s_t). */
  readonly generator: FrameGenerator;
  /** State transition s_{t+1} = F(s_t, ξ_t). */
  readonly transition: Transition;
  /** Observation noise standard deviation σ (in frame units). */
  readonly sigma: number;

  constructor(o: DynamicGeneratorOptions) {
    super();
    if (o.generator.stateDim !== o.transition.stateDim) {
      throw new ShapeError('transition', `stateDim ${o.transition.stateDim} differs from the generator's ${o.generator.stateDim}.`);
    }
    this.generator = o.generator;
    this.transition = o.transition;
    this.sigma = o.sigma ?? 0.3;
    if (!(this.sigma > 0)) throw new InvalidArgumentError('sigma', `must be > 0 (got ${this.sigma}).`);
  }

  /** Variables prefixed `generator.` and `transition.`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ generator: this.generator, transition: this.transition });
  }

  /** Latents drawn from the prior (caller owns them). */
  priorLatents(n: number, T: number, seed: number): DynamicLatents {
    if (!(Number.isInteger(n) && n > 0 && Number.isInteger(T) && T > 0))
      throw new InvalidArgumentError('n/T', `must be positive integers (got ${n}, ${T}).`);
    return {
      s0: tf.randomNormal([n, this.transition.stateDim], 0, 1, 'float32', seed) as tf.Tensor2D,
      xi: tf.randomNormal([n, Math.max(T - 1, 0), this.transition.noiseDim], 0, 1, 'float32', seed + 1) as tf.Tensor3D,
    };
  }

  /** Latents set to zero (a neutral start for inference; caller owns them). */
  zeroLatents(n: number, T: number): DynamicLatents {
    return { s0: tf.zeros([n, this.transition.stateDim]), xi: tf.zeros([n, Math.max(T - 1, 0), this.transition.noiseDim]) };
  }

  /** States `[n, T, stateDim]` from s0 and the T − 1 noise vectors. */
  rollout(s0: tf.Tensor, xi: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const T = (xi.shape[1] as number) + 1;
      const states = [s0];
      const noises = T > 1 ? tf.unstack(xi, 1) : [];
      let s = s0;
      for (const e of noises) {
        s = this.transition.step(s, e);
        states.push(s);
      }
      return tf.stack(states, 1) as tf.Tensor3D;
    });
  }

  /** Frames `[n, T, H, W, C]` of the latents. */
  decode(z: DynamicLatents): tf.Tensor5D {
    return tf.tidy(() => {
      const states = this.rollout(z.s0, z.xi);
      const [n, T, d] = states.shape;
      const f = this.generator.apply(states.reshape([n * T, d]));
      return f.reshape([n, T, ...f.shape.slice(1)]) as tf.Tensor5D;
    });
  }

  private checkFrames(x: tf.Tensor, z: DynamicLatents): void {
    const g = this.generator;
    if (x.rank !== 5 || x.shape[2] !== g.size || x.shape[3] !== g.size || x.shape[4] !== g.channels) {
      throw new ShapeError('x', `expected [n, T, ${g.size}, ${g.size}, ${g.channels}], got [${x.shape}].`);
    }
    if (z.s0.shape[0] !== x.shape[0] || (z.xi.shape[1] as number) + 1 !== x.shape[1]) {
      throw new ShapeError('latents', `s0 [${z.s0.shape}] / xi [${z.xi.shape}] do not fit frames [${x.shape}] (need xi of length T − 1).`);
    }
  }

  /** log p(x, s0, ξ) up to a constant, summed over the batch (a scalar the caller disposes). */
  logJoint(x: tf.Tensor, z: DynamicLatents, mask?: tf.Tensor): tf.Scalar {
    this.checkFrames(x, z);
    return tf.tidy(() => {
      let r = tf.sub(x, this.decode(z));
      if (mask) r = tf.mul(r, mask);
      const rec = tf.div(tf.sum(tf.square(r)), 2 * this.sigma * this.sigma);
      const prior = tf.mul(0.5, tf.add(tf.sum(tf.square(z.s0)), tf.sum(tf.square(z.xi))));
      return tf.neg(tf.add(rec, prior)) as tf.Scalar;
    });
  }

  /**
   * Inferential back-propagation: Langevin dynamics on (s0, ξ) targeting p(s0, ξ | x).
   * Returns new latents (the caller disposes both the old and the new).
   */
  infer(x: tf.Tensor, z: DynamicLatents, o: InferOptions = {}): DynamicLatents {
    this.checkFrames(x, z);
    const steps = o.steps ?? 10;
    const stepSize = o.stepSize ?? 0.1;
    let cur: tf.Tensor[] = [z.s0, z.xi];
    const grad = tf.grads((s0: tf.Tensor, xi: tf.Tensor) => this.logJoint(x, { s0: s0 as tf.Tensor2D, xi: xi as tf.Tensor3D }, o.mask));
    for (let k = 0; k < steps; k++) {
      const next = langevinStep(cur, (v) => grad(v as tf.Tensor[]), {
        stepSize,
        seed: (o.seed ?? 0) * 100003 + k,
        noiseless: o.noiseless ?? false,
      });
      if (k > 0) tf.dispose(cur);
      cur = next;
    }
    if (steps === 0) cur = [z.s0.clone(), z.xi.clone()];
    return { s0: cur[0] as tf.Tensor2D, xi: cur[1] as tf.Tensor3D };
  }

  /**
   * Learning back-propagation: one optimiser step on the mean squared reconstruction error given
   * the latents (gradients flow through the generator and, by BPTT, through the transition).
   * Returns the mean squared error per pixel.
   */
  learnStep(optimizer: tf.Optimizer, x: tf.Tensor, z: DynamicLatents, mask?: tf.Tensor): number {
    this.checkFrames(x, z);
    const cost = optimizer.minimize(
      () =>
        tf.tidy(() => {
          let r = tf.sub(x, this.decode(z));
          if (mask) r = tf.mul(r, mask);
          return tf.mean(tf.square(r)) as tf.Scalar;
        }),
      true,
      this.parameters(),
    );
    const v = (cost as tf.Scalar).dataSync()[0] as number;
    cost?.dispose();
    return v;
  }

  /** Synthesize `n` sequences of length `T` from the prior (any T, e.g. longer than trained on). */
  synthesize(n: number, T: number, seed: number): tf.Tensor5D {
    const z = this.priorLatents(n, T, seed);
    const f = this.decode(z);
    tf.dispose([z.s0, z.xi]);
    return f;
  }

  /**
   * Recover missing frames/regions: Langevin inference from zero latents using only the observed
   * entries (`mask` = 1), a noiseless refinement, then decoding every frame. Returns `[n, T, H, W, C]`.
   */
  recover(x: tf.Tensor, mask: tf.Tensor, o: { steps?: number; stepSize?: number; refineSteps?: number; seed?: number } = {}): tf.Tensor5D {
    const n = x.shape[0] as number;
    const T = x.shape[1] as number;
    const z0 = this.zeroLatents(n, T);
    const z1 = this.infer(x, z0, { steps: o.steps ?? 100, stepSize: o.stepSize ?? 0.1, seed: o.seed ?? 0, mask });
    const z2 = this.infer(x, z1, { steps: o.refineSteps ?? 30, stepSize: o.stepSize ?? 0.1, mask, noiseless: true });
    const out = this.decode(z2);
    tf.dispose([z0.s0, z0.xi, z1.s0, z1.xi, z2.s0, z2.xi]);
    return out;
  }
}
