/** Small argument checks shared by every package, each throwing a typed error that names the argument. */
import * as tf from '@tensorflow/tfjs';
import { DTypeError, InvalidArgumentError, ShapeError, UnsupportedError } from './errors.js';
import { isTensor, treeLeaves, type Tree } from './tree.js';

/**
 * Throw unless `x` is a finite number.
 *
 * @param argument - the argument's name, for the error
 * @param x - the value checked
 * @param hint - how to fix it (added to the message)
 */
export function assertFiniteNumber(argument: string, x: unknown, hint = ''): asserts x is number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new InvalidArgumentError(argument, `must be a finite number (got ${String(x)}).`, hint);
  }
}

/**
 * Throw unless `x` is a finite number > 0.
 *
 * @param argument - the argument's name, for the error
 * @param x - the value checked
 * @param hint - how to fix it
 */
export function assertPositive(argument: string, x: unknown, hint = ''): asserts x is number {
  assertFiniteNumber(argument, x, hint);
  if (x <= 0) throw new InvalidArgumentError(argument, `must be > 0 (got ${x}).`, hint);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return `an object of class ${(x as object).constructor?.name ?? 'Object'}`;
  return typeof x === 'number' ? `the number ${x}` : typeof x;
}

/**
 * Where `x` fails to be a tree of tensors (a tensor, or arrays / plain objects of trees), in words;
 * undefined when it is one.
 *
 * @param x - any value
 * @param path - where x sits in an enclosing tree (for the message)
 * @example
 * ```ts
 * whyNotATree({ a: tf.ones([2]), b: 3 }); // "at .b: got the number 3"
 * ```
 */
export function whyNotATree(x: unknown, path = ''): string | undefined {
  if (isTensor(x)) return x.isDisposed ? `at ${path || 'the root'}: got a disposed tensor` : undefined;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const why = whyNotATree(x[i], `${path}[${i}]`);
      if (why) return why;
    }
    return undefined;
  }
  if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const [k, v] of Object.entries(x)) {
      const why = whyNotATree(v, `${path}.${k}`);
      if (why) return why;
    }
    return undefined;
  }
  return `at ${path || 'the root'}: got ${describe(x)}`;
}

/**
 * Throw an `InvalidArgumentError` naming `argument` unless `x` is a tree of (live) tensors.
 *
 * @param argument - the argument's name, for the error
 * @param x - the value checked
 * @param hint - how to fix it
 */
export function assertTree(argument: string, x: unknown, hint = 'Pass a tf.Tensor or an array / object of them.'): asserts x is Tree {
  const why = whyNotATree(x);
  if (why) throw new InvalidArgumentError(argument, `must be a tensor or a tree of tensors (${why}).`, hint);
}

/**
 * Throw a `ShapeError` naming `argument` unless `got` is a tree with the structure and leaf shapes of `like`
 * (an `InvalidArgumentError` when it is no tree of tensors at all). Host-side only: no kernels.
 *
 * @param argument - the argument's name, for the error (e.g. 'terms.vf')
 * @param got - the value checked
 * @param like - the tree whose structure and leaf shapes got must have
 * @param hint - how to fix it
 * @example
 * ```ts
 * assertTreeLike('terms.vf', dy, y, 'The vector field must return a tree shaped like y.');
 * ```
 */
export function assertTreeLike(argument: string, got: unknown, like: Tree, hint = ''): asserts got is Tree {
  // Fast path: one tensor for one tensor (the common state).
  if (isTensor(got) && isTensor(like)) {
    if (got.isDisposed) throw new InvalidArgumentError(argument, 'returned a disposed tensor.', hint);
    if (!sameDims(got.shape, like.shape)) {
      throw new ShapeError(argument, `returned shape [${got.shape.join(', ')}] for a state of shape [${like.shape.join(', ')}].`, hint);
    }
    return;
  }
  const why = whyNotATree(got);
  if (why) throw new InvalidArgumentError(argument, `must return a tensor or a tree of tensors (${why}).`, hint);
  const mismatch = treeMismatch(got as Tree, like, '');
  if (mismatch) throw new ShapeError(argument, `returned a tree that does not match the state: ${mismatch}.`, hint);
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function treeMismatch(a: Tree, b: Tree, path: string): string | undefined {
  const at = path || 'the root';
  if (isTensor(a) || isTensor(b)) {
    if (!(isTensor(a) && isTensor(b)))
      return `at ${at} ${isTensor(a) ? 'a tensor' : 'a subtree'} where the state has ${isTensor(b) ? 'a tensor' : 'a subtree'}`;
    return sameDims(a.shape, b.shape) ? undefined : `at ${at} shape [${a.shape.join(', ')}] where the state has [${b.shape.join(', ')}]`;
  }
  if (Array.isArray(a) !== Array.isArray(b))
    return `at ${at} ${Array.isArray(a) ? 'an array' : 'an object'} where the state has ${Array.isArray(b) ? 'an array' : 'an object'}`;
  if (Array.isArray(a)) {
    const bb = b as readonly Tree[];
    if (a.length !== bb.length) return `at ${at} ${a.length} entries where the state has ${bb.length}`;
    for (let i = 0; i < a.length; i++) {
      const m = treeMismatch(a[i] as Tree, bb[i] as Tree, `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  const ao = a as { readonly [k: string]: Tree };
  const bo = b as { readonly [k: string]: Tree };
  const ak = Object.keys(ao).sort();
  const bk = Object.keys(bo).sort();
  if (ak.join('\u0000') !== bk.join('\u0000')) return `at ${at} keys {${ak.join(', ')}} where the state has {${bk.join(', ')}}`;
  for (const k of ak) {
    const m = treeMismatch(ao[k] as Tree, bo[k] as Tree, `${path}.${k}`);
    if (m) return m;
  }
  return undefined;
}

/**
 * Throw unless every leaf of `tree` is a float32 tensor.
 *
 * @param argument - the argument's name, for the error
 * @param tree - the value checked
 */
export function assertFloatTree(argument: string, tree: Tree): void {
  assertTree(argument, tree);
  const leaves = treeLeaves(tree);
  if (leaves.length === 0) throw new ShapeError(argument, 'has no tensors.', 'Pass a tf.Tensor or a tree of them.');
  leaves.forEach((x, i) => {
    if (x.dtype !== 'float32') {
      throw new DTypeError(argument, `leaf ${i} has dtype ${x.dtype}; state must be float32.`, 'Cast with tf.cast(x, "float32").');
    }
  });
}

/**
 * Throw unless two shapes are equal.
 *
 * @param argument - the argument's name, for the error
 * @param got - the shape found
 * @param expected - the shape required
 * @param hint - how to fix it
 */
export function assertSameShape(argument: string, got: readonly number[], expected: readonly number[], hint = ''): void {
  if (!tf.util.arraysEqual(got as number[], expected as number[])) {
    throw new ShapeError(argument, `has shape [${got.join(', ')}], expected [${expected.join(', ')}].`, hint);
  }
}

/**
 * Read a scalar tensor asynchronously (no dataSync: works on WebGPU).
 *
 * @param x - a one-element tensor
 */
export async function readScalar(x: tf.Tensor): Promise<number> {
  const d = await x.data();
  return d[0] as number;
}

/**
 * Throw unless `x` is an integer > 0.
 *
 * @param argument - the argument's name, for the error
 * @param x - the value checked
 * @param hint - how to fix it
 */
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
