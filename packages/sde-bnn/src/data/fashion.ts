/** Fashion-MNIST as float tensors, from the IDX files read by `@nde/data`' `loadFashionMnist`. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { FASHION_MNIST_DIR, loadFashionMnist } from '@nde/data';

/** One split, pixels scaled to [0, 1] and standardised (mean 0.286, std 0.353). */
export interface FashionSplit {
  /** `[n·28·28]` floats. */
  images: Float32Array;
  /** Class labels 0..9, `[n]`. */
  labels: Int32Array;
  /** Number of examples n. */
  count: number;
}

/** Options of {@link loadFashion}. */
export interface LoadFashionOptions {
  /** Folder of the IDX files (default Debian's /usr/share/datasets/fashion-mnist). */
  dir?: string;
  /** Keep the first n training examples (default all). */
  trainLimit?: number;
  /** Keep the first n test examples (default all). */
  testLimit?: number;
}

const MEAN = 0.286;
const STD = 0.353;

/**
 * Load Fashion-MNIST. Throws `@nde/data`' `IdxFileMissingError` (an `InvalidArgumentError`)
 * with the `apt-get install dataset-fashion-mnist` hint when the files are absent.
 *
 * @param options - `dir`, the folder of the IDX files (default /usr/share/datasets/fashion-mnist), and `trainLimit` / `testLimit`, keeping only the first n examples of each split (default all); see {@link LoadFashionOptions}.
 *
 * @example
 * ```ts
 * const { train, test } = await loadFashion({ trainLimit: 10000 });
 * const { x, y } = fashionBatch(train, [0, 1, 2]);   // [3, 28, 28, 1], [3]
 * ```
 */
export async function loadFashion(options: LoadFashionOptions = {}): Promise<{ train: FashionSplit; test: FashionSplit }> {
  const raw = await loadFashionMnist(options.dir ?? FASHION_MNIST_DIR);
  const conv = (s: { images: Uint8Array; labels: Uint8Array; count: number }, limit?: number): FashionSplit => {
    const n = Math.min(s.count, limit ?? s.count);
    const images = new Float32Array(n * 784);
    for (let i = 0; i < n * 784; i++) images[i] = ((s.images[i] as number) / 255 - MEAN) / STD;
    return { images, labels: Int32Array.from(s.labels.subarray(0, n)), count: n };
  };
  return { train: conv(raw.train, options.trainLimit), test: conv(raw.test, options.testLimit) };
}

/**
 * A batch as tensors: `x: [B, 28, 28, 1]`, `y: [B]` int32 (owned by the caller).
 *
 * @param split - a split from {@link loadFashion} (only read).
 * @param indices - example indices in `[0, split.count)`, in batch order (repeats allowed).
 *
 * @example
 * ```ts
 * const { x, y } = fashionBatch(train, indices);
 * ```
 */
export function fashionBatch(split: FashionSplit, indices: readonly number[]): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const B = indices.length;
  const xs = new Float32Array(B * 784);
  const ys = new Int32Array(B);
  indices.forEach((idx, i) => {
    if (!(Number.isInteger(idx) && idx >= 0 && idx < split.count))
      throw new InvalidArgumentError('indices', `entry ${i} (${idx}) is outside [0, ${split.count}).`);
    xs.set(split.images.subarray(idx * 784, (idx + 1) * 784), i * 784);
    ys[i] = split.labels[idx] as number;
  });
  return { x: tf.tensor4d(xs, [B, 28, 28, 1]), y: tf.tensor1d(ys, 'int32') };
}
