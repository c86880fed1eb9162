/** Small argument checks shared by every package, each throwing a typed error that names the argument. */
import * as tf from '@tensorflow/tfjs';
import { DTypeError, InvalidArgumentError, ShapeError } from './errors.js';
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
