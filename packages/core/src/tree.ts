/**
 * Tensor trees: state may be one tensor or a nested array/object of tensors (like a PyTree).
 * All helpers return new tensors owned by the caller; none dispose their inputs.
 *
 * @example
 * ```ts
 * const y = { pos: tf.zeros([8, 2]), vel: tf.ones([8, 2]) };
 * const z = treeAxpy(0.1, y, y);            // y + 0.1*y, same structure
 * const n = treeNorm(z);                    // scalar tensor
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors.js';
import { tapeOn } from './tape.js';
import { fusedLinearCombination } from './linear-combination.js';
import { addMany } from './add-many.js';

/** A tensor, or an array / string-keyed object of trees. */
export type Tree = tf.Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/** Structure of a tree without its leaves, to rebuild it from a flat list. */
export type TreeDef = { kind: 'leaf' } | { kind: 'array'; children: TreeDef[] } | { kind: 'object'; keys: string[]; children: TreeDef[] };

/**
 * True when `x` is a tfjs tensor.
 *
 * @param x - any value
 */
export function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/**
 * Flatten a tree into its leaves (depth first, object keys sorted) and its structure.
 *
 * @param tree - a tensor or a nested array/object of tensors
 */
export function treeFlatten(tree: Tree): { leaves: tf.Tensor[]; def: TreeDef } {
  const leaves: tf.Tensor[] = [];
  const walk = (node: Tree): TreeDef => {
    if (isTensor(node)) {
      leaves.push(node);
      return { kind: 'leaf' };
    }
    if (Array.isArray(node)) return { kind: 'array', children: node.map(walk) };
    const obj = node as { readonly [key: string]: Tree };
    const keys = Object.keys(obj).sort();
    return { kind: 'object', keys, children: keys.map((k) => walk(obj[k] as Tree)) };
  };
  const def = walk(tree);
  return { leaves, def };
}

/**
 * Rebuild a tree of structure `def` from `leaves` (inverse of {@link treeFlatten}).
 *
 * @param def - the structure, from treeFlatten
 * @param leaves - one tensor per leaf, in treeFlatten order
 */
export function treeUnflatten<T extends Tree = Tree>(def: TreeDef, leaves: readonly tf.Tensor[]): T {
  let i = 0;
  const build = (d: TreeDef): Tree => {
    if (d.kind === 'leaf') {
      const leaf = leaves[i++];
      if (!leaf) throw new ShapeError('leaves', `too few leaves for the tree structure (need more than ${i - 1}).`);
      return leaf;
    }
    if (d.kind === 'array') return d.children.map(build);
    const out: Record<string, Tree> = {};
    d.keys.forEach((k, j) => {
      out[k] = build(d.children[j] as TreeDef);
    });
    return out;
  };
  const result = build(def);
  if (i !== leaves.length) throw new ShapeError('leaves', `got ${leaves.length} leaves for a structure of ${i}.`);
  return result as T;
}

/**
 * The leaves of a tree, in {@link treeFlatten} order.
 *
 * @param tree - a tensor or a nested array/object of tensors
 */
export function treeLeaves(tree: Tree): tf.Tensor[] {
  return treeFlatten(tree).leaves;
}

function sameStructure(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'leaf') return true;
  if (a.kind === 'object' && b.kind === 'object' && a.keys.join('\u0000') !== b.keys.join('\u0000')) return false;
  const bc = (b as { children: TreeDef[] }).children;
  return a.children.length === bc.length && a.children.every((c, i) => sameStructure(c, bc[i] as TreeDef));
}

/**
 * Map `fn` over the leaves of one or more trees of the same structure.
 *
 * @param fn - maps the leaves at one position of every tree to a new tensor
 * @param tree - the tree whose structure the result takes
 * @param rest - more trees of the same structure, passed leaf by leaf after the first
 * @throws {@link ShapeError} when the trees differ in structure.
 */
export function treeMap<T extends Tree = Tree>(fn: (...leaves: tf.Tensor[]) => tf.Tensor, tree: Tree, ...rest: Tree[]): T {
  const first = treeFlatten(tree);
  const others = rest.map((r, k) => {
    const f = treeFlatten(r);
    if (!sameStructure(first.def, f.def)) {
      throw new ShapeError(`tree[${k + 1}]`, 'trees passed to treeMap differ in structure.', 'Pass trees with the same nesting and keys.');
    }
    return f.leaves;
  });
  // tidy per leaf so intermediates of `fn` never leak.
  const mapped = first.leaves.map((leaf, i) => tf.tidy(() => fn(leaf, ...others.map((o) => o[i] as tf.Tensor))));
  return treeUnflatten<T>(first.def, mapped);
}

/**
 * Elementwise sum of two trees.
 *
 * @param a - a tree
 * @param b - a tree of the same structure (leaves broadcast as in tf.add)
 */
export function treeAdd<T extends Tree>(a: T, b: Tree): T {
  return treeMap<T>((x, y) => tf.add(x, y), a, b);
}

/**
 * Elementwise difference `a - b`.
 *
 * @param a - a tree
 * @param b - a tree of the same structure
 */
export function treeSub<T extends Tree>(a: T, b: Tree): T {
  return treeMap<T>((x, y) => tf.sub(x, y), a, b);
}

/**
 * Multiply every leaf by a number or a broadcastable tensor.
 *
 * @param s - the scale: a number or a broadcastable tensor
 * @param a - the tree to scale
 */
export function treeScale<T extends Tree>(s: number | tf.Tensor, a: T): T {
  return treeMap<T>((x) => tf.mul(x, s), a);
}

/**
 * `y + a * x` leafwise (`a` a number or a broadcastable tensor).
 *
 * @param a - the scale of x: a number or a broadcastable tensor
 * @param x - the tree scaled
 * @param y - the tree added (its structure is the result's)
 */
export function treeAxpy<T extends Tree>(a: number | tf.Tensor, x: Tree, y: T): T {
  return treeMap<T>((xi, yi) => tf.add(yi, tf.mul(xi, a)), x, y);
}

/** `[base] + Σ cs[j] xs[j]` for one leaf: one kernel on cpu/wasm, else `mul`s and one `addN` (`cs` all non-zero). */
function combineLeaf(base: tf.Tensor | undefined, cs: readonly number[], xs: readonly tf.Tensor[]): tf.Tensor {
  const fused = fusedLinearCombination(base ? [1, ...cs] : cs, base ? [base, ...xs] : xs);
  if (fused) return fused;
  const parts: tf.Tensor[] = base ? [base] : [];
  cs.forEach((c, j) => parts.push(tf.mul(xs[j] as tf.Tensor, c)));
  return addMany(parts);
}

/**
 * {@link combineLeaf} as one recorded op while the gradient tape is on. Recorded op by op, tfjs
 * would keep a clone of every input of every `mul` and of the `addN` (an Identity kernel each) and
 * differentiate the constant factors too; the gradient of a linear combination needs none of it:
 * `dbase = dy`, `dxs[j] = cs[j] dy` (the same products the op-by-op backward computes).
 */
function linearLeaf(base: tf.Tensor | undefined, cs: readonly number[], xs: readonly tf.Tensor[]): tf.Tensor {
  if (!tapeOn()) return combineLeaf(base, cs, xs);
  const inputs = base ? [base, ...xs] : [...xs];
  const op = tf.customGrad(((...args: unknown[]) => ({
    value: combineLeaf(base ? (args[0] as tf.Tensor) : undefined, cs, args.slice(base ? 1 : 0, inputs.length) as tf.Tensor[]),
    // dy may be the caller's own cotangent tensor: hand back a clone for base, never dy itself.
    gradFunc: (dy: tf.Tensor) => [...(base ? [dy.clone()] : []), ...cs.map((c) => tf.mul(dy, c))],
  })) as never) as (...x: tf.Tensor[]) => tf.Tensor;
  return op(...inputs);
}

/** The non-zero coefficients and their terms' leaves. */
function nonZero(coeffs: readonly number[], termLeaves: readonly tf.Tensor[][]): { cs: number[]; leaves: tf.Tensor[][] } {
  const cs: number[] = [];
  const leaves: tf.Tensor[][] = [];
  coeffs.forEach((c, j) => {
    if (c !== 0) {
      cs.push(c);
      leaves.push(termLeaves[j] as tf.Tensor[]);
    }
  });
  return { cs, leaves };
}

/**
 * `base + Σ coeffs[i] * terms[i]` leafwise, skipping zero coefficients.
 * The workhorse of Runge–Kutta stages. Under the gradient tape each leaf is one recorded op
 * (no saved-input clones; see `linearLeaf`); values are those of the plain `mul`/`addN`.
 *
 * @param base - the tree added to the combination (its structure is the result's)
 * @param coeffs - one number per term; zeros are skipped
 * @param terms - trees of base's structure
 */
export function treeLinearCombination<T extends Tree>(base: T, coeffs: readonly number[], terms: readonly Tree[]): T {
  const baseFlat = treeFlatten(base);
  const { cs, leaves } = nonZero(
    coeffs,
    terms.map((t) => treeLeaves(t)),
  );
  const out = baseFlat.leaves.map((leaf, i) =>
    cs.length === 0
      ? leaf.clone()
      : tf.tidy(() =>
          linearLeaf(
            leaf,
            cs,
            leaves.map((l) => l[i] as tf.Tensor),
          ),
        ),
  );
  return treeUnflatten<T>(baseFlat.def, out);
}

/**
 * `Σ coeffs[i] * terms[i]` leafwise (zero coefficients skipped; all zero gives zeros).
 *
 * @param coeffs - one number per term; zeros are skipped
 * @param terms - trees of one structure (at least one)
 */
export function treeWeightedSum<T extends Tree>(coeffs: readonly number[], terms: readonly T[]): T {
  const first = terms[0];
  if (first === undefined) throw new ShapeError('terms', 'needs at least one tree.');
  const { cs, leaves } = nonZero(
    coeffs,
    terms.map((t) => treeLeaves(t)),
  );
  const { def, leaves: firstLeaves } = treeFlatten(first);
  const out = firstLeaves.map((leaf, i) =>
    cs.length === 0
      ? tf.zerosLike(leaf)
      : tf.tidy(() =>
          linearLeaf(
            undefined,
            cs,
            leaves.map((l) => l[i] as tf.Tensor),
          ),
        ),
  );
  return treeUnflatten<T>(def, out);
}

/**
 * Zeros with the shape and dtype of every leaf.
 *
 * @param a - the tree whose shapes and dtypes the zeros take
 */
export function treeZerosLike<T extends Tree>(a: T): T {
  return treeMap<T>((x) => tf.zerosLike(x), a);
}

/**
 * Clone every leaf (new tensors, same values).
 *
 * @param a - the tree to copy
 */
export function treeClone<T extends Tree>(a: T): T {
  return treeMap<T>((x) => x.clone(), a);
}

/**
 * Sum over all leaves of `Σ a_i b_i`, as a scalar tensor.
 *
 * @param a - a tree
 * @param b - a tree of the same structure
 */
export function treeDot(a: Tree, b: Tree): tf.Scalar {
  return tf.tidy(() => {
    const parts = treeLeaves(treeMap((x, y) => tf.sum(tf.mul(x, y)), a, b));
    return addMany(parts) as tf.Scalar;
  });
}

/**
 * Euclidean norm over all leaves, as a scalar tensor.
 *
 * @param a - a tree
 */
export function treeNorm(a: Tree): tf.Scalar {
  return tf.tidy(() => tf.sqrt(treeDot(a, a)) as tf.Scalar);
}

/**
 * Root-mean-square over every element of every leaf, as a scalar tensor.
 *
 * @param a - a tree
 */
export function treeRms(a: Tree): tf.Scalar {
  return tf.tidy(() => {
    const n = treeSize(a);
    return tf.sqrt(tf.div(treeDot(a, a), n)) as tf.Scalar;
  });
}

/**
 * Total number of elements over all leaves.
 *
 * @param a - a tree
 */
export function treeSize(a: Tree): number {
  return treeLeaves(a).reduce((s, x) => s + x.size, 0);
}

/**
 * The id the next tensor created will get: tfjs numbers tensors in creation order, so a tensor
 * with a smaller id existed before this call (a static counter of tfjs's Engine class).
 */
export function nextTensorId(): number {
  return (tf.engine().constructor as unknown as { nextTensorId: number }).nextTensorId;
}

/**
 * Call `fn` and hand back its tree with every leaf owned by the caller. A leaf that existed before
 * the call — an input returned unchanged (`(t, y) => y`), a leaf of the input, a captured constant —
 * is replaced by a copy; leaves `fn` created are passed through. The caller may then dispose (or
 * hand over) the result without touching anybody else's tensor. Costs one Identity kernel per
 * aliased leaf and nothing otherwise.
 *
 * @param fn - the call whose result the caller will own (a vector field, say)
 * @example
 * ```ts
 * const dy = ownedResult(() => vectorField(t, y)); // safe to dispose even if the field returned y
 * ```
 */
export function ownedResult<T extends Tree>(fn: () => T): T {
  const firstNew = nextTensorId();
  const out = fn();
  if (isTensor(out)) return (out.id < firstNew ? out.clone() : out) as T;
  // Not a tree at all: returned as it is, for the caller's check to name.
  if (out === null || typeof out !== 'object') return out;
  return treeMap<T>((x) => (x.id < firstNew ? x.clone() : x), out);
}

/**
 * Dispose every leaf of each tree given (undefined entries are skipped).
 *
 * @param trees - trees to dispose; undefined entries are skipped
 */
export function treeDispose(...trees: (Tree | undefined)[]): void {
  for (const t of trees) if (t !== undefined) treeLeaves(t).forEach((x) => x.dispose());
}

/**
 * Concatenate all leaves, flattened, into one vector (for norms, solvers, and interop).
 *
 * @param a - a tree
 */
export function treeToVector(a: Tree): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.concat(
        treeLeaves(a).map((x) => x.reshape([-1])),
        0,
      ) as tf.Tensor1D,
  );
}

/**
 * Split a vector made by {@link treeToVector} back into a tree shaped like `like`.
 *
 * @param v - a vector of treeSize(like) elements
 * @param like - the tree whose structure and shapes the result takes
 */
export function treeFromVector<T extends Tree>(v: tf.Tensor, like: T): T {
  const { leaves, def } = treeFlatten(like);
  const sizes = leaves.map((x) => x.size);
  const total = sizes.reduce((s, n) => s + n, 0);
  if (v.size !== total) throw new ShapeError('v', `vector has ${v.size} elements, the tree ${total}.`);
  const parts = tf.tidy(() => tf.split(v.reshape([-1]), sizes).map((p, i) => p.reshape((leaves[i] as tf.Tensor).shape)));
  return treeUnflatten<T>(def, parts);
}

/**
 * `tf.tidy` for functions returning a tree (or any object holding tensors): keeps what is returned, frees the rest.
 *
 * @param fn - the computation; what it returns is kept, every other tensor it made is freed
 */
export function tidyTree<T>(fn: () => T): T {
  return tf.tidy(fn as () => never) as T;
}
