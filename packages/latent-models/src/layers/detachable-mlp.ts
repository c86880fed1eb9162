/** An MLP whose forward pass can run with its parameters detached (for sticking-the-landing). */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, MLP, activation, collectParameters, type Activation } from '@nde/core';
import { stopGradient } from '@nde/nn';

/** Options of {@link DetachableMLP}. */
export interface DetachableMLPOptions {
  /** Layer widths, input first: `[4, 32, 4]` is Linear(4,32) → act → Linear(32,4). */
  sizes: readonly number[];
  /** Hidden activation (default tanh). */
  activation?: Activation;
  /** Activation after the last layer (default identity). */
  finalActivation?: Activation;
  /** Seed of the init; layer `i` uses `seed + i` (default: the MLP's process-wide counter). */
  seed?: number;
}

/**
 * A core `MLP` plus `apply(x, { detach: true })`, which computes the same function with every weight
 * behind a stop-gradient: gradients still flow into `x`, never into the weights.
 *
 * @example
 * ```ts
 * const f = new DetachableMLP({ sizes: [4, 32, 4], activation: 'softplus', seed: 0 });
 * const y = f.apply(x);                        // ordinary
 * const ySg = f.apply(x, { detach: true });    // same value, no gradient to f's weights
 * ```
 */
export class DetachableMLP extends BaseModule {
  /** The wrapped core MLP that owns the weights. */
  readonly net: MLP;
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  private readonly finalAct: (x: tf.Tensor) => tf.Tensor;

  constructor(options: DetachableMLPOptions) {
    super();
    this.net = new MLP({ ...options });
    this.act = activation(options.activation ?? 'tanh');
    this.finalAct = activation(options.finalActivation ?? 'identity');
  }

  /** The MLP's variables, prefixed `net.` (`net.layers.<i>.weight`, `net.layers.<i>.bias`). */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ net: this.net });
  }

  /**
   * Run the MLP on `x` `[..., sizes[0]]` → `[..., sizes.at(-1)]` (new tensor, caller owns it). With
   * `detach: true` the weights and biases sit behind {@link stopGradient}: the same value, gradients
   * only into `x` (default false: an ordinary forward pass).
   */
  apply(x: tf.Tensor, options: { detach?: boolean } = {}): tf.Tensor {
    if (!options.detach) return this.net.apply(x);
    return tf.tidy(() => {
      let h = x;
      const layers = this.net.layers;
      layers.forEach((layer, i) => {
        const w = stopGradient(layer.weight as tf.Tensor);
        const shape = h.shape;
        const h2 = h.rank === 2 ? h : h.reshape([-1, layer.inFeatures]);
        let y: tf.Tensor = tf.matMul(h2 as tf.Tensor2D, w as tf.Tensor2D);
        if (layer.bias) y = tf.add(y, stopGradient(layer.bias as tf.Tensor));
        if (h.rank !== 2) y = y.reshape([...shape.slice(0, -1), layer.outFeatures]);
        h = i < layers.length - 1 ? this.act(y) : this.finalAct(y);
      });
      return h;
    });
  }
}
