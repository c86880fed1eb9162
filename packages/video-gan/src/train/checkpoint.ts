/** Checkpoints: a module's parameters as plain JSON (names → shape + values), and back. */
import * as tf from '@tensorflow/tfjs';
import { ShapeError, type Module } from '@nde/core';

/** A serialisable snapshot of named parameters. */
export type Checkpoint = Record<string, { shape: number[]; values: number[] }>;

/**
 * Snapshot a module's parameters (synchronous read).
 *
 * @param module - Module whose `namedParameters()` are copied to the host.
 * @returns Plain arrays by parameter name, safe to `JSON.stringify`.
 * @example
 * ```ts
 * const ckpt = checkpoint(generator);
 * await writeFile('g.json', JSON.stringify(ckpt));
 * ```
 */
export function checkpoint(module: Module): Checkpoint {
  const out: Checkpoint = {};
  for (const [name, v] of Object.entries(module.namedParameters())) out[name] = { shape: [...v.shape], values: Array.from(v.dataSync()) };
  return out;
}

/**
 * Restore parameters from {@link checkpoint}; names and shapes must match.
 *
 * @param module - Module whose variables are assigned in place.
 * @param ckpt - Snapshot from {@link checkpoint} (extra names are ignored).
 * @throws `ShapeError` on a missing name or a shape mismatch.
 * @example
 * ```ts
 * restoreCheckpoint(generator, JSON.parse(await readFile('g.json', 'utf8')));
 * ```
 */
export function restoreCheckpoint(module: Module, ckpt: Checkpoint): void {
  for (const [name, v] of Object.entries(module.namedParameters())) {
    const c = ckpt[name];
    if (!c) throw new ShapeError('checkpoint', `has no parameter '${name}'.`, 'Restore into a module built with the same options.');
    if (c.shape.length !== v.shape.length || c.shape.some((d, i) => d !== v.shape[i]))
      throw new ShapeError(`checkpoint.${name}`, `has shape [${c.shape}], the module [${v.shape}].`);
    tf.tidy(() => v.assign(tf.tensor(c.values, v.shape, 'float32')));
  }
}
