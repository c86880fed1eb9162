/**
 * A tfjs `IOHandler` on `node:fs`, for saving and loading models in Node without `@tensorflow/tfjs-node`.
 * Writes the standard layout: `model.json` plus one `weights.bin`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, assertNodeRuntime } from '@nde/core';

/**
 * An IOHandler that saves to / loads from a folder (`<dir>/model.json`, `<dir>/weights.bin`).
 *
 * @param dir - target folder (created on save); a `file://` prefix is accepted.
 *
 * @example
 * ```ts
 * await model.save(fileSystemHandler('./my-model'));
 * const again = await tf.loadLayersModel(fileSystemHandler('./my-model'));
 * ```
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  assertNodeRuntime('fileSystemHandler', "In browsers use tfjs's 'indexeddb://name' or 'localstorage://name' handlers.");
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new InvalidArgumentError('dir', 'must be a non-empty folder path.', "e.g. fileSystemHandler('./checkpoints/run1').");
  }
  const folder = stripFileScheme(dir).replace(/\/model\.json$/, '');
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const fs = await import('node:fs/promises');
      await fs.mkdir(folder, { recursive: true });
      const weightsManifest: tf.io.WeightsManifestConfig = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      await fs.writeFile(`${folder}/weights.bin`, new Uint8Array(weightData));
      await fs.writeFile(`${folder}/model.json`, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const fs = await import('node:fs/promises');
      let text: string;
      try {
        text = await fs.readFile(`${folder}/model.json`, 'utf8');
      } catch {
        throw new InvalidArgumentError(
          'path',
          `no model.json in ${folder}.`,
          'Pass the folder a model was saved to (it holds model.json and its weight files).',
        );
      }
      const json = JSON.parse(text) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const b = await fs.readFile(`${folder}/${p}`);
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
          specs.push(...group.weights);
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

function stripFileScheme(p: string): string {
  return p.startsWith('file://') ? decodeURIComponent(p.slice('file://'.length)) : p;
}
