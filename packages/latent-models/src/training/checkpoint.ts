/**
 * Checkpoints through tfjs IO handlers: a module's named parameters (plus JSON metadata such as the
 * iteration) saved to and loaded from `file://` folders in Node (handled here: plain tfjs has no
 * file system handler), `indexeddb://` / `localstorage://` in browsers, or any `tf.io.IOHandler`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, type Module } from '@nde/core';
import { fileSystemHandler } from '@nde/data';

const FORMAT = 'nde-checkpoint';

/** Metadata stored beside the weights (must be JSON-serialisable). */
export type CheckpointMetadata = Record<string, string | number | boolean | null | readonly (string | number)[]>;

// The file-system handler is @nde/data's (one implementation of the model.json + weights.bin layout).
export { fileSystemHandler } from '@nde/data';

function resolveHandler(where: string | tf.io.IOHandler, mode: 'save' | 'load'): tf.io.IOHandler {
  if (typeof where !== 'string') {
    if (where === null || typeof where !== 'object' || typeof where[mode] !== 'function') {
      throw new InvalidArgumentError(
        mode === 'save' ? 'destination' : 'source',
        `must be a URL string or a tf.io.IOHandler with ${mode}().`,
      );
    }
    return where;
  }
  if (where.startsWith('file://')) return fileSystemHandler(where.slice('file://'.length));
  const handlers = mode === 'save' ? tf.io.getSaveHandlers(where) : tf.io.getLoadHandlers(where);
  const h = handlers[0];
  if (!h) {
    throw new InvalidArgumentError(
      mode === 'save' ? 'destination' : 'source',
      `no tfjs IO handler for '${where}'.`,
      "Use 'file://<folder>' in Node, 'indexeddb://<name>' or 'localstorage://<name>' in browsers, or pass a tf.io.IOHandler.",
    );
  }
  return h;
}

/**
 * Save a module's parameters (by their names from `namedParameters()`) and metadata.
 * @param module - The module whose parameters are written (read only, not modified).
 * @param destination - `file://<folder>` (Node), `indexeddb://<name>` / `localstorage://<name>` (browser), or a `tf.io.IOHandler` with `save()`.
 * @param metadata - JSON-serialisable values stored beside the weights (default `{}`).
 * @returns The IO handler's save result.
 * @throws InvalidArgumentError when no IO handler matches `destination`.
 *
 * @example
 * ```ts
 * await saveCheckpoint(model, 'file://./ckpt', { iteration: 200 });   // Node
 * await saveCheckpoint(model, 'indexeddb://latent-ode');              // browser
 * ```
 */
export async function saveCheckpoint(
  module: Module,
  destination: string | tf.io.IOHandler,
  metadata: CheckpointMetadata = {},
): Promise<tf.io.SaveResult> {
  const handler = resolveHandler(destination, 'save');
  const named = module.namedParameters();
  const names = Object.keys(named).sort();
  const { data, specs } = await tf.io.encodeWeights(Object.fromEntries(names.map((n) => [n, named[n] as tf.Tensor])));
  const artifacts: tf.io.ModelArtifacts = {
    format: FORMAT,
    generatedBy: '@nde/latent-models',
    modelTopology: { parameters: names },
    userDefinedMetadata: metadata as unknown as Record<string, object>,
    weightSpecs: specs,
    weightData: data,
  };
  return (handler.save as (a: tf.io.ModelArtifacts) => Promise<tf.io.SaveResult>)(artifacts);
}

/**
 * Load parameters saved by {@link saveCheckpoint} into `module` (assigned in place, by name) and
 * return the stored metadata.
 * @param module - The module to load into; it must have the same parameter names and shapes as the saved one.
 * @param source - `file://<folder>` (Node), `indexeddb://<name>` / `localstorage://<name>` (browser), or a `tf.io.IOHandler` with `load()`.
 * @throws InvalidArgumentError when a parameter is missing; ShapeError when a shape differs.
 *
 * @example
 * ```ts
 * const { metadata } = await loadCheckpoint(model, 'file://./ckpt');
 * console.log(metadata.iteration);
 * ```
 */
export async function loadCheckpoint(module: Module, source: string | tf.io.IOHandler): Promise<{ metadata: CheckpointMetadata }> {
  const handler = resolveHandler(source, 'load');
  const artifacts = await (handler.load as () => Promise<tf.io.ModelArtifacts>)();
  if (!artifacts.weightSpecs || !artifacts.weightData) {
    throw new InvalidArgumentError('source', 'holds no weights.', 'Save it with saveCheckpoint first.');
  }
  const loaded = tf.io.decodeWeights(tf.io.CompositeArrayBuffer.join(artifacts.weightData), artifacts.weightSpecs);
  try {
    const named = module.namedParameters();
    for (const [name, v] of Object.entries(named)) {
      const t = loaded[name];
      if (!t) {
        throw new InvalidArgumentError(
          'source',
          `has no parameter '${name}'.`,
          'The checkpoint was saved from a module with a different structure.',
        );
      }
      if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new ShapeError(
          'source',
          `parameter '${name}' has shape [${t.shape}] in the checkpoint but [${v.shape}] in the module.`,
          'Build the module with the same sizes it was saved with.',
        );
      }
    }
    for (const [name, v] of Object.entries(named)) v.assign(loaded[name] as tf.Tensor);
  } finally {
    tf.dispose(loaded);
  }
  return { metadata: (artifacts.userDefinedMetadata ?? {}) as CheckpointMetadata };
}
