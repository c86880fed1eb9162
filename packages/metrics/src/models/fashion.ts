/** The shipped Fashion-MNIST classifier (weights in `assets/fashion-classifier/`). */
import * as tf from '@tensorflow/tfjs';
import { loadFeatureModel } from './load.js';

/** Location of the shipped classifier's `model.json` (a `file:` URL in Node, an http URL when bundled). */
export const FASHION_CLASSIFIER_URL: string = new URL('../../assets/fashion-classifier/model.json', import.meta.url).href;

/**
 * Load the in-project Fashion-MNIST CNN (32×32 input; layers `features` [128] and `logits` [10]; output softmax).
 * Feed frames through {@link prepareFashionFrames}. Test accuracy is recorded in the asset's
 * `userDefinedMetadata` and in the package README.
 *
 * @example
 * ```ts
 * const model = await fashionClassifier();
 * const x = prepareFashionFrames(images28);              // [n, 32, 32, 1]
 * const feats = await features(model, x, { layer: 'features' });
 * ```
 */
export async function fashionClassifier(): Promise<tf.LayersModel> {
  return (await loadFeatureModel(FASHION_CLASSIFIER_URL, { kind: 'layers' })) as tf.LayersModel;
}
