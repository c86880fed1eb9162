/**
 * The in-project Fashion-MNIST classifier: a small CNN on 32×32 grey frames, whose
 * penultimate layer (`features`, 128-d) gives Fréchet / KID features and whose softmax (`probs`)
 * gives Inception-Score class probabilities. Trained by `scripts/train-classifier.ts`; the
 * weights ship in `assets/fashion-classifier/` so scores are comparable across runs.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@nde/core';

/** Side of the square frames the classifier runs on. */
export const FASHION_INPUT_SIZE = 32;

/**
 * Build the (untrained) CNN: 3×(conv3×3 + relu + maxpool) → dense 128 (`features`) → dense 10 (`logits`) → softmax (`probs`).
 *
 * @param seed - seed of the He-normal initialisers (layer k uses `seed·100 + k`; default 0).
 *
 * @example
 * ```ts
 * const model = buildFashionCnn(0);
 * model.summary();
 * ```
 */
export function buildFashionCnn(seed = 0): tf.LayersModel {
  const init = (k: number): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: seed * 100 + k });
  const input = tf.input({ shape: [FASHION_INPUT_SIZE, FASHION_INPUT_SIZE, 1], name: 'frames' });
  let h = input;
  [16, 32, 64].forEach((filters, i) => {
    h = tf.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(i), name: `conv${i + 1}` })
      .apply(h) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }).apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3), name: 'features' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 10, kernelInitializer: init(4), name: 'logits' }).apply(h) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'fashion_cnn' });
}

/**
 * Bring frames to the classifier's input: `[n, h, w]` or `[n, h, w, 1]`, values in [0, 1] (or 0..255
 * when `scale255` is set). 28×28 frames are zero-padded to 32×32 (as in training); other sizes are
 * resized bilinearly to 32×32. Returns a new `[n, 32, 32, 1]` float32 tensor.
 *
 * @param frames - grey frames `[n, h, w]` or `[n, h, w, 1]`, values in [0, 1] (0..255 with `scale255`); not disposed.
 * @param options - `scale255` (default false): divide by 255 first, for raw 8-bit pixel values.
 *
 * @throws {@link @nde/core!ShapeError} on any other rank or more than one channel.
 *
 * @example
 * ```ts
 * const x = prepareFashionFrames(tf.zeros([8, 64, 64]));  // [8, 32, 32, 1]
 * ```
 */
export function prepareFashionFrames(frames: tf.Tensor, options: { scale255?: boolean } = {}): tf.Tensor4D {
  const { scale255 = false } = options;
  if (!(frames.rank === 3 || (frames.rank === 4 && frames.shape[3] === 1))) {
    throw new ShapeError(
      'frames',
      `has shape [${frames.shape}]; expected [n, h, w] or [n, h, w, 1] grey frames.`,
      'Convert colour frames to grey, and stack frames along the first axis (videos: reshape [b, t, h, w] to [b*t, h, w]).',
    );
  }
  return tf.tidy(() => {
    let x = (frames.rank === 3 ? frames.expandDims(-1) : frames).toFloat() as tf.Tensor4D;
    if (scale255) x = x.div(255);
    const [, h, w] = x.shape;
    if (h === 28 && w === 28)
      return x.pad([
        [0, 0],
        [2, 2],
        [2, 2],
        [0, 0],
      ]);
    if (h === FASHION_INPUT_SIZE && w === FASHION_INPUT_SIZE) return x.clone();
    return tf.image.resizeBilinear(x, [FASHION_INPUT_SIZE, FASHION_INPUT_SIZE], true);
  });
}
