/** Load a feature extractor: any tfjs LayersModel or GraphModel, from a URL or (in Node) a file path. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { fileSystemHandler } from '@nde/data';

/** A model {@link features} can run: a Keras-style LayersModel or a converted GraphModel. */
export type FeatureModel = tf.LayersModel | tf.GraphModel;

/** Options of {@link loadFeatureModel}. */
export interface LoadFeatureModelOptions {
  /** `layers` (tf.loadLayersModel), `graph` (tf.loadGraphModel) or `auto` (read `format` from model.json; default). */
  kind?: 'auto' | 'layers' | 'graph';
}

const isUrl = (s: string): boolean => /^(https?|blob|data|indexeddb|localstorage):/i.test(s);

/**
 * Load a LayersModel or GraphModel. `http(s)://…` goes through tfjs's own loaders; a path (or `file://`)
 * is read with `node:fs` through {@link fileSystemHandler} (no tfjs-node needed). The folder or the
 * `model.json` path may be given. `auto` picks graph for `format: "graph-model"`, layers otherwise.
 *
 * @param urlOrPath - an `http(s):`, `blob:`, `data:`, `indexeddb:` or `localstorage:` URL for tfjs's loaders, or (Node) a file path or `file://` URL of `model.json` or of its folder. The loaded model belongs to the caller (dispose it when done).
 * @param options - `kind`: `'layers'`, `'graph'`, or `'auto'` (default: read `format` from model.json); see {@link LoadFeatureModelOptions}.
 *
 * @throws {@link @nde/core!InvalidArgumentError} when nothing is found at `urlOrPath`.
 *
 * @example
 * ```ts
 * const inception = await loadFeatureModel('./inception_v3_tfjs/model.json');   // user conversion
 * const f = await features(inception, images, { layer: 'avg_pool' });
 * ```
 */
export async function loadFeatureModel(urlOrPath: string, options: LoadFeatureModelOptions = {}): Promise<FeatureModel> {
  const { kind = 'auto' } = options;
  if (typeof urlOrPath !== 'string' || urlOrPath.length === 0) {
    throw new InvalidArgumentError(
      'urlOrPath',
      'must be a non-empty URL or path.',
      'Pass e.g. "./model/model.json" or "https://…/model.json".',
    );
  }
  if (isUrl(urlOrPath)) {
    let k = kind;
    if (k === 'auto') {
      const res = await fetch(urlOrPath);
      if (!res.ok)
        throw new InvalidArgumentError('urlOrPath', `fetching ${urlOrPath} gave HTTP ${res.status}.`, 'Check the URL of model.json.');
      const json = (await res.json()) as { format?: string };
      k = json.format === 'graph-model' ? 'graph' : 'layers';
    }
    return k === 'graph' ? tf.loadGraphModel(urlOrPath) : tf.loadLayersModel(urlOrPath);
  }
  const handler = fileSystemHandler(urlOrPath);
  let k = kind;
  if (k === 'auto') {
    const artifacts = await (handler.load as () => Promise<tf.io.ModelArtifacts>)();
    k = artifacts.format === 'graph-model' ? 'graph' : 'layers';
    const mem = tf.io.fromMemory(artifacts);
    return k === 'graph' ? tf.loadGraphModel(mem) : tf.loadLayersModel(mem);
  }
  return k === 'graph' ? tf.loadGraphModel(handler) : tf.loadLayersModel(handler);
}
