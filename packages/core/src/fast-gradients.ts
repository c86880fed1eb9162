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
  if (!onWasmFastPath()) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => mm(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b));
}

/** Whether the wasm-specific forms below apply (wasm, fast gradients on). */
function onWasmFastPath(): boolean {
  return enabled && tf.getBackend() === 'wasm';
}

/**
 * Column sums of a `[rows, cols]` matrix, `[cols]`: a dense layer's bias gradient. tfjs-wasm's Sum over
 * axis 0 transposes before reducing; the product zᵀ·1 with a ones column is faster on wasm at every
 * width measured (median of fresh operands: 2.40 → 0.42 ms at 1024 × 256, 79 → 65 µs at 256 × 50,
 * 31 → 23 µs at 256 × 2). Elsewhere `tf.sum(z, 0)`.
 *
 * @param z - `[rows, cols]`
 * @example
 * ```ts
 * const db = sumOverRows(dz); // [out]
 * ```
 */
export function sumOverRows(z: tf.Tensor): tf.Tensor {
  if (!onWasmFastPath() || z.rank !== 2) return tf.sum(z, 0);
  const [rows, cols] = z.shape as [number, number];
  return tf.tidy(() => tf.reshape(tf.matMul(z, tf.ones([rows, 1]), true, false), [cols]));
}

/** Below this many multiply-adds, tfjs-wasm's scalar transposed product beats transposing for XNNPACK. */
const SMALL_PRODUCT = 65_536;

/**
 * A dense layer's weight gradient xᵀ·dz, `[in, out]`. On wasm, measured on fresh operands: a small
 * product (≤ 65 536 multiply-adds, e.g. batch 256, 2 → 64: 79 → 41 µs) runs as the scalar transposed
 * product, with no transpose kernel; a larger one as the untransposed XNNPACK product whose output is
 * the wider matrix, since XNNPACK vectorises over output columns: with in > out, (dzᵀ·x)ᵀ
 * (batch 1024, 256 → 32: 2.88 → 2.13 ms). Elsewhere tfjs's own.
 *
 * @param x - the layer input `[batch, in]`
 * @param dz - the gradient at the pre-activation `[batch, out]`
 * @example
 * ```ts
 * const dw = denseWeightGrad(x, dz); // [in, out]
 * ```
 */
export function denseWeightGrad(x: tf.Tensor, dz: tf.Tensor): tf.Tensor {
  if (!onWasmFastPath() || x.rank !== 2 || dz.rank !== 2) return matMulOnFastPath(x, dz, true, false);
  const [batch, inDim] = x.shape as [number, number];
  const outDim = dz.shape[1] as number;
  if (batch * inDim * outDim <= SMALL_PRODUCT) return tf.matMul(x, dz, true, false);
  if (inDim <= outDim) return tf.tidy(() => mm(tf.transpose(x), dz));
  return tf.tidy(() => tf.transpose(mm(tf.transpose(dz), x)));
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
    gradFunc: (dy, saved, attrs) => (onWasmFastPath() ? untransposedGrad : fallback.gradFunc)(dy, saved, attrs),
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
