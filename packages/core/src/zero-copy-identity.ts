/**
 * A zero-copy `Identity` kernel for tfjs-backend-wasm. tfjs clones every tensor a gradient saves
 * (`Identity`, once per saved input of every recorded op), and `tf.clone` is an Identity too. On cpu
 * and webgl a clone shares its input's buffer; on wasm it copies it, so under a tape every saved
 * activation exists twice in the wasm heap (a latent-SDE training step at torchsde's sizes, batch
 * 256: 1.5 GB of copies). The kernel registered here shares the buffer and counts a reference, as
 * wasm's own `Reshape` does; tensors are immutable, so sharing is unobservable.
 *
 * `useBackend` installs it; `setZeroCopyIdentity(false)` restores tfjs's copying kernel.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCounted {
  incRef(dataId: tf.DataId): void;
}

let copying: tf.KernelConfig | undefined;
let enabled = true;

function sharingIdentity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Register the zero-copy `Identity` on wasm when the wasm backend's kernels are loaded (idempotent).
 * Called by `useBackend`; call it yourself only when you select backends with `tf.setBackend` directly.
 *
 * @example
 * ```ts
 * await tf.setBackend('wasm');
 * installZeroCopyIdentity();
 * ```
 */
export function installZeroCopyIdentity(): void {
  const current = tf.getKernel('Identity', 'wasm');
  if (!current || current.kernelFunc === (sharingIdentity as unknown as tf.KernelFunc)) return;
  copying = current;
  if (!enabled) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharingIdentity as unknown as tf.KernelFunc });
}

/**
 * Share buffers in wasm's `Identity` (on by default) or copy them as tfjs does (off: for comparisons).
 * Values are the same either way; only the wasm heap's size differs.
 *
 * @param on - whether wasm's `Identity` shares its input's buffer
 * @example
 * ```ts
 * setZeroCopyIdentity(false); // tfjs's copying Identity, e.g. to measure what sharing saves
 * ```
 */
export function setZeroCopyIdentity(on: boolean): void {
  enabled = on;
  const current = tf.getKernel('Identity', 'wasm');
  if (!current) return;
  const sharing = current.kernelFunc === (sharingIdentity as unknown as tf.KernelFunc);
  if (on && !sharing) installZeroCopyIdentity();
  if (!on && sharing && copying) {
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel(copying);
  }
}
