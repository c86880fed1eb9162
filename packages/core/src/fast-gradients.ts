/**
 * Gradients that stay on each backend's fast kernels. tfjs-backend-wasm multiplies matrices with XNNPACK
 * only when neither operand is transposed (and the batch is 1); otherwise it runs a scalar loop about 20×
 * slower — and tfjs's gradient of `matMul` is made of exactly those transposed products. On wasm the
 * gradient registered here transposes explicitly (a cheap kernel) and multiplies untransposed; on every
 * other backend it is tfjs's own. Values are equal to float32 rounding (tested on cpu, wasm and webgpu).
 *
 * `useBackend` installs it; `setFastGradients(false)` restores tfjs's gradient.
 */
import * as tf from '@tensorflow/tfjs';

type GradConfig = NonNullable<ReturnType<typeof tf.getGradient>>;
type GradFunc = GradConfig['gradFunc'];

let original: GradConfig | undefined;
let enabled = true;

/** Swap the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return tf.transpose(x);
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

const mm = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y);

/** dL/da and dL/db of `matMul(a, b, transposeA, transposeB)`, with only untransposed products. */
const untransposedGrad: GradFunc = (dy, saved, attrs) => {
  const [a, b] = saved as [tf.Tensor, tf.Tensor];
  const d = dy as tf.Tensor;
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return { a: () => mm(d, swapLast(b)), b: () => mm(swapLast(a), d) };
  if (!transposeA && transposeB) return { a: () => mm(d, b), b: () => mm(swapLast(d), a) };
  if (transposeA && !transposeB) return { a: () => mm(b, swapLast(d)), b: () => mm(a, d) };
  return { a: () => mm(swapLast(b), swapLast(d)), b: () => mm(swapLast(d), swapLast(a)) };
};

/**
 * `matMul(a, b, transposeA, transposeB)` on the backend's fast kernel: on wasm (fast gradients on)
 * the transposes are explicit and the product untransposed; elsewhere tfjs's own. For hand-written
 * gradients, which need exactly these transposed products.
 *
 * @param a - left operand
 * @param b - right operand
 * @param transposeA - use aᵀ
 * @param transposeB - use bᵀ
 * @example
 * ```ts
 * const dx = matMulOnFastPath(dz, w, false, true); // dz · wᵀ
 * ```
 */
export function matMulOnFastPath(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (!enabled || tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return mm(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b);
}

/**
 * Install the fast `matMul` gradient (idempotent). Called by `useBackend`; call it yourself only when you
 * select backends with `tf.setBackend` directly.
 *
 * @example
 * ```ts
 * installFastGradients();
 * ```
 */
export function installFastGradients(): void {
  original ??= tf.getGradient('BatchMatMul') ?? undefined;
  const fallback = original;
  if (!fallback) return;
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => (enabled && tf.getBackend() === 'wasm' ? untransposedGrad : fallback.gradFunc)(dy, saved, attrs),
  });
}

/**
 * Turn the fast gradients on (default) or off (tfjs's own gradient on every backend), e.g. to compare.
 *
 * @param on - true to use the fast form where it is faster.
 * @example
 * ```ts
 * setFastGradients(false); // tfjs's matMul gradient everywhere
 * ```
 */
export function setFastGradients(on: boolean): void {
  enabled = on;
}

/** Whether the fast gradients are on (see {@link setFastGradients}). */
export function fastGradientsEnabled(): boolean {
  return enabled;
}
