/** Small argument checks shared by every package, each throwing a typed error that names the argument. */
import * as tf from '@tensorflow/tfjs';
import { DTypeError, InvalidArgumentError, ShapeError, UnsupportedError } from './errors.js';
import { treeLeaves, type Tree } from './tree.js';

/** Throw unless `x` is a finite number. */
export function assertFiniteNumber(argument: string, x: unknown, hint = ''): asserts x is number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new InvalidArgumentError(argument, `must be a finite number (got ${String(x)}).`, hint);
  }
}

/** Throw unless `x` is a finite number > 0. */
export function assertPositive(argument: string, x: unknown, hint = ''): asserts x is number {
  assertFiniteNumber(argument, x, hint);
  if (x <= 0) throw new InvalidArgumentError(argument, `must be > 0 (got ${x}).`, hint);
}

/** Throw unless every leaf of `tree` is a float32 tensor. */
export function assertFloatTree(argument: string, tree: Tree): void {
  const leaves = treeLeaves(tree);
  if (leaves.length === 0) throw new ShapeError(argument, 'has no tensors.', 'Pass a tf.Tensor or a tree of them.');
  leaves.forEach((x, i) => {
    if (x.dtype !== 'float32') {
      throw new DTypeError(argument, `leaf ${i} has dtype ${x.dtype}; state must be float32.`, 'Cast with tf.cast(x, "float32").');
    }
  });
}

/** Throw unless two shapes are equal. */
export function assertSameShape(argument: string, got: readonly number[], expected: readonly number[], hint = ''): void {
  if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
    throw new ShapeError(argument, `has shape [${got.join(', ')}], expected [${expected.join(', ')}].`, hint);
  }
}

/** Read a scalar tensor asynchronously (no dataSync: works on WebGPU). */
export async function readScalar(x: tf.Tensor): Promise<number> {
  const d = await x.data();
  return d[0] as number;
}

/** Throw unless `x` is an integer > 0. */
export function assertPositiveInteger(argument: string, x: unknown, hint = ''): asserts x is number {
  if (!(typeof x === 'number' && Number.isInteger(x) && x > 0)) {
    throw new InvalidArgumentError(argument, `must be a positive integer (got ${String(x)}).`, hint);
  }
}

/** True when running under Node.js (not a browser, worker or Deno without Node compatibility). */
export function isNodeRuntime(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/**
 * Throw an {@link UnsupportedError} unless running under Node.js. File-system helpers call this before
 * their dynamic `import('node:fs')`: browser bundles map those modules to empty stubs (each package's
 * `browser` field), so without the check a browser user would get an obscure `undefined is not a function`.
 *
 * @param feature - what needs Node, named in the message (e.g. `'loadIdx'`)
 * @param hint - what to do instead in a browser
 * @example
 * ```ts
 * assertNodeRuntime('fileSystemHandler', "In browsers save with 'indexeddb://name'.");
 * const fs = await import('node:fs/promises');
 * ```
 */
export function assertNodeRuntime(feature: string, hint = 'Run it in Node.js, or pass the data in memory instead of a path.'): void {
  if (!isNodeRuntime()) throw new UnsupportedError(feature, 'reads or writes files and needs Node.js (no file system here).', hint);
}
