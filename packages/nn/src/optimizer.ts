/**
 * One optimizer for every `@nde/*` model: Adam or RMSprop over explicit variables, with optional
 * global-norm gradient clipping ({@link clipByGlobalNorm}, PyTorch's `clip_grad_norm_` formula) and state
 * that can be read and restored by parameter name, so checkpoints resume training exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, assertPositive, type Module } from '@nde/core';
import { clipScale, globalNorm, type NamedGrads } from './clip.js';

/** Options of Adam ({@link Optimizer} with `kind: 'adam'`, or {@link Adam}). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  learningRate?: number;
  /** Exponential decay rate of the first-moment (mean) estimate (default 0.9). */
  beta1?: number;
  /** Exponential decay rate of the second-moment (uncentred variance) estimate (default 0.999). */
  beta2?: number;
  /** Constant added to the denominator for numerical stability (default 1e-8). */
  epsilon?: number;
  /** Clip the global gradient norm to this value before each update (default: no clipping). */
  clipNorm?: number;
}

/** Options of RMSprop ({@link Optimizer} with `kind: 'rmsprop'`). */
export interface RMSpropOptions {
  /** Learning rate (WGAN/TGAN: 5e-5). */
  learningRate: number;
  /** Decay of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to √v (default 1e-8). */
  epsilon?: number;
  /** Clip the global gradient norm to this value before each update (default: no clipping). */
  clipNorm?: number;
}

/** Which update rule an {@link Optimizer} uses, with its options. */
export type OptimizerConfig = ({ kind: 'adam' } & AdamOptions) | ({ kind: 'rmsprop' } & RMSpropOptions);

/** What one {@link Optimizer.step} did. */
export interface StepInfo {
  /** The loss before the update. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/** Parameters to train: a module, a list of modules, or variables. */
export type Trainable = Module | readonly Module[] | readonly tf.Variable[] | Record<string, tf.Variable>;

/**
 * The variables of a {@link Trainable}, deduplicated by variable name, in a stable order (the
 * modules' `parameters()` order, first occurrence kept). The variables are returned, not copied.
 * @param params - A module, a list of modules and/or variables, or a record of variables.
 * @returns The variables, each once.
 * @throws InvalidArgumentError when an entry is not a `tf.Variable` or nothing trainable is found.
 *
 * @example
 * ```ts
 * trainableVariables([encoder, decoder]).length;
 * ```
 */
export function trainableVariables(params: Trainable): tf.Variable[] {
  let list: tf.Variable[];
  if (Array.isArray(params)) {
    list = (params as readonly (Module | tf.Variable)[]).flatMap((p) => (p instanceof tf.Variable ? [p] : (p as Module).parameters()));
  } else if (typeof (params as Module).parameters === 'function') {
    list = (params as Module).parameters();
  } else {
    list = Object.values(params as Record<string, tf.Variable>);
  }
  const seen = new Set<string>();
  const out = list.filter((v) => {
    if (!(v instanceof tf.Variable))
      throw new InvalidArgumentError(
        'params',
        'contains something that is not a tf.Variable.',
        'Pass a Module, Module[] or tf.Variable[].',
      );
    if (seen.has(v.name)) return false;
    seen.add(v.name);
    return true;
  });
  if (out.length === 0)
    throw new InvalidArgumentError(
      'params',
      'has no trainable variables.',
      'Pass the model (a Module) whose parameters should be trained.',
    );
  return out;
}

/** Per-variable state slots of each rule, in order. */
const SLOTS = { adam: ['m', 'v'], rmsprop: ['ms'] } as const;

/**
 * Adam or RMSprop over explicit variables. Each update first clips the gradients by global norm when
 * `clipNorm` is set (`g ← g · min(1, clipNorm / (‖g‖ + 1e-6))`, see {@link clipByGlobalNorm}), then applies
 * - Adam, exactly as `tf.train.adam`: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
 *   `θ ← θ − lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`;
 * - RMSprop as Chainer / PyTorch (TGAN's and WGAN's): `v ← αv + (1−α)g²`, `θ ← θ − lr · g / (√v + ε)`.
 *
 * The state (moments, `β₁ᵗ`, `β₂ᵗ`, iterations) is held here, not in a tfjs optimizer, so
 * {@link Optimizer.getState} / {@link Optimizer.setState} round-trip it bit for bit by parameter name
 * (checkpoints: `saveCheckpoint(module, where, metadata, { optimizer })`). Leaves no tensors behind.
 *
 * @example
 * ```ts
 * const opt = new Optimizer({ kind: 'adam', learningRate: 1e-2, clipNorm: 1 });
 * for (let i = 0; i < 100; i++) {
 *   const { loss } = opt.step(() => model.loss(batch), model);
 * }
 * opt.dispose();
 * ```
 */
export class Optimizer {
  /** The update rule. */
  readonly kind: 'adam' | 'rmsprop';
  /** Maximum global gradient norm applied before each update, or `undefined` for no clipping. */
  readonly clipNorm: number | undefined;
  /** Adam's β₁ (0 for RMSprop). */
  readonly beta1: number;
  /** Adam's β₂ (0 for RMSprop). */
  readonly beta2: number;
  /** RMSprop's decay α (0 for Adam). */
  readonly alpha: number;
  /** Constant added to the denominator. */
  readonly epsilon: number;
  /** Number of updates applied. */
  iterations = 0;
  private lr: number;
  private readonly slots = new Map<string, tf.Variable[]>();
  private readonly accBeta: [tf.Variable, tf.Variable] | undefined;

  /**
   * @param config - The rule (`kind: 'adam'` or `'rmsprop'`) and its options.
   * @throws InvalidArgumentError for a non-positive learning rate, epsilon or clip norm, or a decay outside [0, 1).
   */
  constructor(config: OptimizerConfig) {
    if (config.kind !== 'adam' && config.kind !== 'rmsprop')
      throw new InvalidArgumentError('kind', `must be 'adam' or 'rmsprop' (got ${String((config as { kind: unknown }).kind)}).`);
    this.kind = config.kind;
    const lr = config.learningRate ?? 1e-3;
    assertPositive('learningRate', lr);
    this.lr = lr;
    if (config.clipNorm !== undefined) assertPositive('clipNorm', config.clipNorm, 'Omit it to disable clipping.');
    this.clipNorm = config.clipNorm;
    this.epsilon = config.epsilon ?? 1e-8;
    assertPositive('epsilon', this.epsilon);
    const decay = (name: string, x: number): number => {
      if (!(x >= 0 && x < 1)) throw new InvalidArgumentError(name, `must be in [0, 1) (got ${x}).`);
      return x;
    };
    if (config.kind === 'adam') {
      this.beta1 = decay('beta1', config.beta1 ?? 0.9);
      this.beta2 = decay('beta2', config.beta2 ?? 0.999);
      this.alpha = 0;
      this.accBeta = tf.tidy(() => [tf.scalar(this.beta1).variable(false), tf.scalar(this.beta2).variable(false)]);
    } else {
      this.beta1 = 0;
      this.beta2 = 0;
      this.alpha = decay('alpha', config.alpha ?? 0.99);
      this.accBeta = undefined;
    }
  }

  /** Current learning rate. */
  get learningRate(): number {
    return this.lr;
  }

  /** Change the learning rate (schedules). */
  set learningRate(lr: number) {
    assertPositive('learningRate', lr);
    this.lr = lr;
  }

  /**
   * One update: gradients of `loss()` with respect to `params`, clipped, applied.
   * @param loss - Closure returning the scalar loss; called once inside `tf.variableGrads` (its tensors are freed).
   * @param params - What to differentiate and update (see {@link trainableVariables}).
   * @returns The loss value and the gradient norm before clipping, as JS numbers.
   * @throws InvalidArgumentError when `loss` does not return a scalar.
   */
  step(loss: () => tf.Scalar, params: Trainable): StepInfo {
    const vars = trainableVariables(params);
    const { value, grads } = tf.variableGrads(() => {
      const l = loss();
      if (!(l instanceof tf.Tensor) || l.rank !== 0) {
        throw new InvalidArgumentError(
          'loss',
          `must return a scalar tensor (got ${l instanceof tf.Tensor ? `rank ${l.rank}` : typeof l}).`,
          'Reduce with tf.mean or tf.sum.',
        );
      }
      return l;
    }, vars);
    const lossValue = value.dataSync()[0] as number;
    value.dispose();
    try {
      const { gradNorm } = this.applyGradients(grads, vars);
      return { loss: lossValue, gradNorm };
    } finally {
      tf.dispose(grads);
    }
  }

  /**
   * Clip (when `clipNorm` is set) and apply gradients keyed by variable name, as `tf.variableGrads`
   * returns them. Gradients of variables not in `variables` are ignored; the gradients are not disposed.
   * @param grads - Gradients by `tf.Variable.name`.
   * @param variables - The variables to update (those without a gradient are left alone).
   * @returns The global norm of `grads` before clipping.
   */
  applyGradients(grads: NamedGrads, variables: readonly tf.Variable[]): { gradNorm: number } {
    const present = variables.filter((v) => grads[v.name] !== undefined);
    const gradNorm = globalNorm(Object.fromEntries(present.map((v) => [v.name, grads[v.name] as tf.Tensor])));
    const scale = this.clipNorm === undefined ? 1 : clipScale(gradNorm, this.clipNorm);
    tf.tidy(() => {
      const oneMinusAcc = this.accBeta ? [tf.sub(1, this.accBeta[0]), tf.sub(1, this.accBeta[1])] : [];
      for (const v of present) {
        const raw = grads[v.name] as tf.Tensor;
        const g = scale === 1 ? raw : tf.mul(raw, scale);
        const s = this.slotsOf(v);
        if (this.kind === 'adam') {
          const [m, sv] = s as [tf.Variable, tf.Variable];
          const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
          const newV = tf.add(tf.mul(sv, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
          const mHat = tf.div(newM, oneMinusAcc[0] as tf.Tensor);
          const vHat = tf.div(newV, oneMinusAcc[1] as tf.Tensor);
          m.assign(newM);
          sv.assign(newV);
          v.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.lr), v));
        } else {
          const [ms] = s as [tf.Variable];
          const next = tf.add(tf.mul(ms, this.alpha), tf.mul(tf.square(g), 1 - this.alpha));
          ms.assign(next);
          v.assign(tf.sub(v, tf.div(tf.mul(g, this.lr), tf.add(tf.sqrt(next), this.epsilon))));
        }
      }
      if (this.accBeta) {
        this.accBeta[0].assign(tf.mul(this.accBeta[0], this.beta1));
        this.accBeta[1].assign(tf.mul(this.accBeta[1], this.beta2));
      }
    });
    this.iterations++;
    return { gradNorm };
  }

  /**
   * The state by parameter name: `<name>/m`, `<name>/v` (Adam) or `<name>/ms` (RMSprop) for every
   * parameter updated so far, plus `beta1Power` / `beta2Power` (Adam). The tensors are this optimizer's
   * own (do not dispose them); {@link Optimizer.iterations} is the rest of the state.
   * @param named - The trained parameters by a stable name (e.g. `module.namedParameters()`).
   * @returns The state tensors by name.
   */
  getState(named: Record<string, tf.Variable>): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [name, v] of Object.entries(named)) {
      const s = this.slots.get(v.name);
      if (s) SLOTS[this.kind].forEach((slot, i) => (out[`${name}/${slot}`] = s[i] as tf.Variable));
    }
    if (this.accBeta) {
      out.beta1Power = this.accBeta[0];
      out.beta2Power = this.accBeta[1];
    }
    return out;
  }

  /**
   * Restore a state read by {@link Optimizer.getState} (values are copied; `state` is not disposed).
   * Parameters without saved slots start from zero moments.
   * @param named - The trained parameters by the names the state was saved under.
   * @param state - The state tensors by name.
   * @param iterations - The update count to resume from.
   * @throws ShapeError when a parameter has some but not all of its slots, or a slot's shape differs from the parameter's.
   */
  setState(named: Record<string, tf.Variable>, state: tf.NamedTensorMap, iterations: number): void {
    for (const [name, v] of Object.entries(named)) {
      const saved = SLOTS[this.kind].map((slot) => state[`${name}/${slot}`]);
      if (saved.every((t) => t === undefined)) continue;
      saved.forEach((t, i) => {
        if (!t || t.shape.join() !== v.shape.join())
          throw new ShapeError(
            'state',
            `slot '${name}/${SLOTS[this.kind][i]}' is missing or has shape [${t?.shape ?? ''}], the parameter [${v.shape}].`,
          );
      });
      const s = this.slotsOf(v);
      saved.forEach((t, i) => (s[i] as tf.Variable).assign(t as tf.Tensor));
    }
    if (this.accBeta) {
      if (state.beta1Power) this.accBeta[0].assign(state.beta1Power);
      if (state.beta2Power) this.accBeta[1].assign(state.beta2Power);
    }
    this.iterations = iterations;
  }

  /**
   * Allocate the (zero) state of `variables` now instead of at their first update, so that later steps
   * create no long-lived tensors (e.g. for leak checks around a training loop). Idempotent.
   * @param variables - The variables this optimizer will update.
   */
  init(variables: readonly tf.Variable[]): void {
    for (const v of variables) this.slotsOf(v);
  }

  /** Release the optimizer's state (not the trained variables). */
  dispose(): void {
    for (const s of this.slots.values()) tf.dispose(s);
    this.slots.clear();
    if (this.accBeta) tf.dispose(this.accBeta);
  }

  private slotsOf(v: tf.Variable): tf.Variable[] {
    let s = this.slots.get(v.name);
    if (!s) {
      s = tf.tidy(() => SLOTS[this.kind].map(() => tf.zerosLike(v).variable(false)));
      this.slots.set(v.name, s);
    }
    return s;
  }
}

/**
 * {@link Optimizer} with `kind: 'adam'` (the former `@nde/latent-models` `Adam`, same options).
 *
 * @example
 * ```ts
 * const opt = new Adam({ learningRate: 1e-2, clipNorm: 1 });
 * const { loss, gradNorm } = opt.step(() => model.loss(batch), model);
 * opt.dispose();
 * ```
 */
export class Adam extends Optimizer {
  /** @param options - Learning rate, betas, epsilon and optional clip norm. */
  constructor(options: AdamOptions = {}) {
    super({ kind: 'adam', ...options });
  }
}
