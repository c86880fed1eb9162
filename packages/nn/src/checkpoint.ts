/**
 * One checkpoint format for every `@nde/*` model, through tfjs IO handlers: a module's named parameters,
 * optionally an {@link Optimizer}'s state, and JSON metadata, as `model.json` (the manifest) plus the
 * weights. Saved to and loaded from `file://` folders in Node (through `@nde/data`'s `fileSystemHandler`:
 * plain tfjs has no file-system handler), `indexeddb://` / `localstorage://` in browsers, memory
 * (`tf.io.withSaveHandler` / `tf.io.fromMemory`), or any `tf.io.IOHandler`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, type Module } from '@nde/core';
import { fileSystemHandler } from '@nde/data';
import type { Optimizer } from './optimizer.js';

/** The `format` of the manifest. */
export const CHECKPOINT_FORMAT = 'nde-checkpoint';

/** Metadata stored beside the weights (must be JSON-serialisable). */
export type CheckpointMetadata = Record<string, string | number | boolean | null | readonly (string | number)[]>;

/** The manifest (`modelTopology` of the saved artifacts): what the weights are. */
export interface CheckpointManifest {
  /** Names of the module's parameters, sorted (each a weight of the same name). */
  parameters: string[];
  /** The optimizer's rule, update count and state names (weights `optimizer/<name>`), when one was saved. */
  optimizer?: { kind: 'adam' | 'rmsprop'; iterations: number; state: string[] };
}

/** Options of {@link saveCheckpoint} and {@link loadCheckpoint}. */
export interface CheckpointOptions {
  /** The optimizer training `module`: its state is saved with the weights / restored from them. */
  optimizer?: Optimizer;
}

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
 * Save a module's parameters (by their names from `namedParameters()`), optionally its optimizer's
 * state, and metadata.
 * @param module - The module whose parameters are written (read only, not modified).
 * @param destination - `file://<folder>` (Node), `indexeddb://<name>` / `localstorage://<name>` (browser), or a `tf.io.IOHandler` with `save()`.
 * @param metadata - JSON-serialisable values stored beside the weights (default `{}`).
 * @param options - `optimizer`: also save this optimizer's state (moments, bias-correction powers, iterations).
 * @returns The IO handler's save result.
 * @throws InvalidArgumentError when no IO handler matches `destination`.
 *
 * @example
 * ```ts
 * await saveCheckpoint(model, 'file://./ckpt', { iteration: 200 }, { optimizer: opt }); // Node
 * await saveCheckpoint(model, 'indexeddb://latent-ode');                                // browser
 * ```
 */
export async function saveCheckpoint(
  module: Module,
  destination: string | tf.io.IOHandler,
  metadata: CheckpointMetadata = {},
  options: CheckpointOptions = {},
): Promise<tf.io.SaveResult> {
  const handler = resolveHandler(destination, 'save');
  const named = module.namedParameters();
  const names = Object.keys(named).sort();
  const tensors: tf.NamedTensorMap = Object.fromEntries(names.map((n) => [n, named[n] as tf.Tensor]));
  const manifest: CheckpointManifest = { parameters: names };
  const { optimizer } = options;
  if (optimizer) {
    const state = optimizer.getState(named);
    const keys = Object.keys(state).sort();
    for (const k of keys) tensors[`optimizer/${k}`] = state[k] as tf.Tensor;
    manifest.optimizer = { kind: optimizer.kind, iterations: optimizer.iterations, state: keys };
  }
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const artifacts: tf.io.ModelArtifacts = {
    format: CHECKPOINT_FORMAT,
    generatedBy: '@nde/nn',
    modelTopology: manifest as unknown as Record<string, object>,
    userDefinedMetadata: metadata as unknown as Record<string, object>,
    weightSpecs: specs,
    weightData: data,
  };
  return (handler.save as (a: tf.io.ModelArtifacts) => Promise<tf.io.SaveResult>)(artifacts);
}

/**
 * Load parameters saved by {@link saveCheckpoint} into `module` (assigned in place, by name), optionally
 * the optimizer state into `options.optimizer`, and return the stored metadata. Nothing is assigned
 * unless every parameter is present with its shape.
 * @param module - The module to load into; it must have the same parameter names and shapes as the saved one.
 * @param source - `file://<folder>` (Node), `indexeddb://<name>` / `localstorage://<name>` (browser), or a `tf.io.IOHandler` with `load()`.
 * @param options - `optimizer`: restore its state too (it must use the rule it was saved with).
 * @returns The metadata saved with the weights.
 * @throws InvalidArgumentError when a parameter or the optimizer state is missing or of another rule; ShapeError when a shape differs.
 *
 * @example
 * ```ts
 * const { metadata } = await loadCheckpoint(model, 'file://./ckpt', { optimizer: opt });
 * console.log(metadata.iteration);
 * ```
 */
export async function loadCheckpoint(
  module: Module,
  source: string | tf.io.IOHandler,
  options: CheckpointOptions = {},
): Promise<{ metadata: CheckpointMetadata }> {
  const handler = resolveHandler(source, 'load');
  const artifacts = await (handler.load as () => Promise<tf.io.ModelArtifacts>)();
  if (!artifacts.weightSpecs || !artifacts.weightData) {
    throw new InvalidArgumentError('source', 'holds no weights.', 'Save it with saveCheckpoint first.');
  }
  const manifest = (artifacts.modelTopology ?? {}) as Partial<CheckpointManifest>;
  const { optimizer } = options;
  if (optimizer && (!manifest.optimizer || manifest.optimizer.kind !== optimizer.kind)) {
    throw new InvalidArgumentError(
      'source',
      manifest.optimizer ? `holds ${manifest.optimizer.kind} state, the optimizer is ${optimizer.kind}.` : 'holds no optimizer state.',
      'Save it with saveCheckpoint(module, where, metadata, { optimizer }).',
    );
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
    if (optimizer && manifest.optimizer) {
      const state = Object.fromEntries(manifest.optimizer.state.map((k) => [k, loaded[`optimizer/${k}`] as tf.Tensor]));
      optimizer.setState(named, state, manifest.optimizer.iterations);
    }
  } finally {
    tf.dispose(loaded);
  }
  return { metadata: (artifacts.userDefinedMetadata ?? {}) as CheckpointMetadata };
}
