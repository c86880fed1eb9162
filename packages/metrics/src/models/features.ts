/** Run a feature model over images in batches and return one feature row per image. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import type { FeatureModel } from './load.js';

/** Options of {@link features}. */
export interface FeaturesOptions {
  /**
   * Which activation to return. LayersModel: a layer name (e.g. `features` for the penultimate layer of
   * the shipped classifier, `logits`). GraphModel: an output node name (e.g. `avg_pool`). Default: the model output.
   */
  layer?: string;
  /** Images per forward pass (default 256). */
  batchSize?: number;
}

/**
 * Features of `images` from `model` as a `[n, d]` float32 tensor (activations flattened per image).
 *
 * @param model - the feature extractor, a LayersModel or GraphModel (e.g. from {@link loadFeatureModel}); neither modified nor disposed.
 * @param images - a batch `[n, ...]` in the model's input layout (e.g. `[n, 32, 32, 1]` from {@link prepareFashionFrames}); not disposed. The `[n, d]` result is a new tensor owned by the caller.
 * @param options - `layer`, the layer (LayersModel) or node (GraphModel) to read (default: the model output), and `batchSize`, images per forward pass (default 256); see {@link FeaturesOptions}.
 *
 * @throws {@link @nde/core!InvalidArgumentError} when `layer` is not in the model.
 * @throws {@link @nde/core!ShapeError} when `images` has rank < 2.
 *
 * @example
 * ```ts
 * const model = await fashionClassifier();
 * const f = await features(model, prepareFashionFrames(frames), { layer: 'features' }); // [n, 128]
 * const p = await features(model, prepareFashionFrames(frames));                        // [n, 10] probabilities
 * ```
 */
export async function features(model: FeatureModel, images: tf.Tensor, options: FeaturesOptions = {}): Promise<tf.Tensor2D> {
  const { layer, batchSize = 256 } = options;
  if (images.rank < 2)
    throw new ShapeError('images', `has rank ${images.rank}; expected a batch [n, ...].`, 'Stack images along the first axis.');
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new InvalidArgumentError('batchSize', `must be a positive integer (got ${batchSize}).`);
  let run: (x: tf.Tensor) => tf.Tensor;
  let sub: tf.LayersModel | undefined;
  if (model instanceof tf.LayersModel) {
    if (layer !== undefined) {
      let l: tf.layers.Layer;
      try {
        l = model.getLayer(layer);
      } catch {
        throw new InvalidArgumentError('layer', `no layer named '${layer}'.`, `Use one of: ${model.layers.map((x) => x.name).join(', ')}.`);
      }
      sub = tf.model({ inputs: model.inputs, outputs: l.output as tf.SymbolicTensor });
    }
    const m = sub ?? model;
    run = (x) => m.predict(x) as tf.Tensor;
  } else {
    const g = model;
    run = (x) => {
      if (layer === undefined) return g.predict(x) as tf.Tensor;
      try {
        return g.execute(x, layer) as tf.Tensor;
      } catch (e) {
        throw new InvalidArgumentError(
          'layer',
          `graph model could not output node '${layer}' (${(e as Error).message.split('\n')[0]}).`,
          `Use an output node (${g.outputNodes.join(', ')}) or an internal node name from model.json.`,
        );
      }
    };
  }
  const n = images.shape[0] as number;
  const parts: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(
        tf.tidy(() => {
          const x = images.slice(start, size);
          const y = run(x);
          return y.reshape([size, -1]) as tf.Tensor2D;
        }),
      );
      await tf.nextFrame();
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.tidy(() => tf.concat(parts, 0));
  } finally {
    if (parts.length > 1) parts.forEach((p) => p.dispose());
  }
}
