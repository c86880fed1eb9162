/**
 * A dense layer `act(x W + b)` recorded as one op with a hand-written backward, for first-order
 * gradients. Recorded op by op, tfjs keeps a copy of every input of the matMul, the add and the
 * activation (an Identity kernel each) and differentiates the bias broadcast with a reduce and a
 * reshape: ~13 backward kernels a layer against 7–8 here. A neural ODE 2-50-2 backprop through
 * dopri5 on wasm: 769 → 509 kernels, 14.4 → 11.2 ms.
 *
 * Under a nested tape (a gradient taken while another one records, as adjoints' VJPs inside a
 * recorded solve) the layer runs as plain ops, exactly as before: a custom gradient's saved copies
 * are constants to the outer tape.
 */
import * as tf from '@tensorflow/tfjs';
import { denseWeightGrad, matMulOnFastPath, sumOverRows } from './fast-gradients.js';
import { gradientDepth } from './tape.js';

/** Activations whose derivative follows from the output alone, or (softplus: σ(z)) from the pre-activation. */
export type FusableActivation = 'tanh' | 'sigmoid' | 'relu' | 'softplus' | 'identity';

/** dL/dz from dL/dy and what the forward saved: y = act(z), or z itself for softplus. */
function activationGrad(kind: FusableActivation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  switch (kind) {
    case 'softplus':
      // softplus′(z) = σ(z); from the output it would be 1 − e^(−y), which cancels in float32 as y → 0.
      return tf.mul(dy, tf.sigmoid(y));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case 'relu':
      return tf.mul(dy, tf.step(y));
    case 'identity':
      return dy;
  }
}

/**
 * Whether {@link fusedDense} may take the one-op path: a 2-D input under exactly one recording tape.
 * @internal
 */
export function canFuseDense(x: tf.Tensor): boolean {
  return x.rank === 2 && gradientDepth() === 1;
}

/**
 * `act(x W + b)` (b optional) with `forward` computing act, and act's derivative from its output.
 * Values are those of the plain ops; gradients equal to float32 rounding.
 *
 * @param x - `[batch, in]`
 * @param w - `[in, out]`
 * @param b - `[out]`, or undefined
 * @param kind - which activation (its derivative)
 * @param forward - the activation itself (e.g. the backend's fast tanh)
 * @internal
 */
export function fusedDense(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor | undefined,
  kind: FusableActivation,
  forward: (z: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    const [xi, wi, bi] = args as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const z = tf.matMul(xi, wi);
    const pre = b ? tf.add(z, bi as tf.Tensor) : z;
    const y = forward(pre);
    save(kind === 'identity' ? [xi, wi] : [xi, wi, kind === 'softplus' ? pre : y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
        const dz = activationGrad(kind, dy, ys as tf.Tensor);
        const grads = [matMulOnFastPath(dz, ws, false, true), denseWeightGrad(xs, dz)];
        return b ? [...grads, sumOverRows(dz)] : grads;
      },
    };
  }) as never) as (...t: tf.Tensor[]) => tf.Tensor;
  return b ? op(x, w, b) : op(x, w);
}
