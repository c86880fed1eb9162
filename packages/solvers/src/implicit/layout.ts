/**
 * The implicit solvers work on one float64 vector on the host; a state may be a tree of tensors.
 * `HostLayout` is the map between them: the leaves flattened and concatenated in tree order.
 */
import * as tf from '@tensorflow/tfjs';
import { countHostRead, isTensor, tidyTree, treeFlatten, treeUnflatten, type Tree, type TreeDef } from '@nde/core';

/** The leaves' shapes and order of a state, and the map to and from one host vector. @internal */
export class HostLayout {
  /** Total number of elements. */
  readonly size: number;
  private readonly sizes: number[];

  private constructor(
    private readonly def: TreeDef,
    /** Each leaf's shape, in tree order. */
    readonly shapes: readonly number[][],
    /** The state is one tensor (not a tree). */
    readonly single: boolean,
  ) {
    this.sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    this.size = this.sizes.reduce((a, b) => a + b, 0);
  }

  /**
   * The layout of a state.
   * @param y - a tensor or a tree of tensors
   */
  static of(y: Tree): HostLayout {
    const { def, leaves } = treeFlatten(y);
    return new HostLayout(
      def,
      leaves.map((l) => l.shape),
      isTensor(y),
    );
  }

  /**
   * The state's values as one float64 vector (reads every leaf).
   * @param y - a tree of this layout
   */
  read(y: Tree): Float64Array {
    const out = new Float64Array(this.size);
    let o = 0;
    treeFlatten(y).leaves.forEach((l) => {
      out.set(l.dataSync(), o);
      countHostRead();
      o += l.size;
    });
    return out;
  }

  /**
   * A tree of this layout from its leaves (taken as they are).
   * @param leaves - one tensor per leaf, in tree order
   */
  fromLeaves(leaves: tf.Tensor[]): Tree {
    return treeUnflatten(this.def, leaves);
  }

  /**
   * A new tree of float32 tensors holding `v` (the caller owns it).
   * @param v - values in layout order
   */
  tree(v: ArrayLike<number>): Tree {
    let o = 0;
    const leaves = this.shapes.map((shape, i) => {
      const n = this.sizes[i] as number;
      const data = new Float32Array(n);
      for (let k = 0; k < n; k++) data[k] = v[o + k] as number;
      o += n;
      return tf.tensor(data, shape);
    });
    return treeUnflatten(this.def, leaves);
  }

  /**
   * The tree held in a 1-D tensor from `offset` on (differentiable slices; the caller owns the result).
   * @param flat - values in layout order
   * @param offset - where this state starts in `flat`
   */
  fromFlat(flat: tf.Tensor, offset = 0): Tree {
    return tidyTree(() => {
      let o = offset;
      const leaves = this.shapes.map((shape, i) => {
        const n = this.sizes[i] as number;
        const part = tf.reshape(tf.slice(flat, [o], [n]), shape);
        o += n;
        return part;
      });
      return this.single ? (leaves[0] as tf.Tensor) : treeUnflatten(this.def, leaves);
    });
  }

  /**
   * The leaves of a tree of this layout, flattened and joined into one 1-D tensor (differentiable).
   * @param y - a tree of this layout
   */
  flatten(y: Tree): tf.Tensor1D {
    return tf.tidy(() => tf.concat(treeFlatten(y).leaves.map((l) => tf.reshape(l, [-1]))) as tf.Tensor1D);
  }

  /**
   * The state as `[blocks, n]` systems, for the device solvers (differentiable; the caller owns it).
   * @param y - a tree of this layout
   * @param blocks - number of systems
   * @param n - size of each
   */
  toBlocks(y: Tree, blocks: number, n: number): tf.Tensor2D {
    return tf.tidy(() => tf.reshape(this.flatten(y), [blocks, n]));
  }

  /**
   * The tree held in a `[blocks, n]` (or any) tensor in layout order (differentiable; the caller owns it).
   * @param v - values in layout order
   */
  fromBlocks(v: tf.Tensor): Tree {
    return tidyTree(() => this.fromFlat(tf.reshape(v, [-1])));
  }
}
