/**
 * Vector–Jacobian products that are safe to take anywhere, including inside another gradient's
 * backward pass (a `tf.customGrad` gradient function), which plain `tf.grads` is not in tfjs 4:
 * a nested `engine.gradients` call resets and then nulls the engine's active tape, and the outer
 * backward pass then crashes on `null.forEach`. {@link vjp} restores the outer tape afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ownedResult,
  addMany,
  vjp,
  withOuterTape,
  treeDispose,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeUnflatten,
  type Tree,
  type TreeDef,
} from '@nde/core';

// One home for vjp (core): solvers use it too; re-exported here, where adjoint users look for it.
export { vjp } from '@nde/core';

class SeedMismatch extends Error {}

/**
 * The value of `fn()` (a tree) together with the VJP of `<fn(), cotangent>` with respect to `xs`.
 * Owned by the caller.
 *
 * When the cotangent is one tensor shaped like the (one-tensor) value, it seeds the backward pass
 * directly (tfjs's `dy`), so neither the dot product `<fn(), cotangent>` nor its gradient, nor a
 * copy of the value, is computed.
 *
 * @param fn - the function (returning a tree)
 * @param xs - the tensors to differentiate with respect to
 * @param cotangent - the upstream gradient, shaped like fn()'s value
 * @example
 * ```ts
 * const { value, grads } = valueAndVjp(() => tf.mul(w, x), [w], tf.onesLike(x));
 * ```
 */
export function valueAndVjp<T extends Tree>(fn: () => T, xs: readonly tf.Tensor[], cotangent: Tree): { value: T; grads: tf.Tensor[] } {
  const ct = treeLeaves(cotangent);
  const seed = ct.length === 1 ? (ct[0] as tf.Tensor) : undefined;
  if (seed && xs.length > 0) {
    const engine = tf.engine();
    let def: TreeDef | undefined;
    try {
      const { value, grads } = withOuterTape(() =>
        engine.gradients(
          () => {
            // Owned: a value that existed before (fn returned an input or a constant) is copied, so it is ours to hand over.
            const flat = treeFlatten(ownedResult(fn));
            const y = flat.leaves[0] as tf.Tensor;
            // Shapes that only broadcast: take the dot-product path below.
            if (flat.leaves.length !== 1 || !tf.util.arraysEqual(y.shape, seed.shape)) throw new SeedMismatch();
            def = flat.def;
            return y;
          },
          [...xs],
          seed,
          true,
        ),
      );
      return {
        value: treeUnflatten<T>(def as TreeDef, [value]),
        grads: grads.map((g, i) => (g ?? tf.zerosLike(xs[i] as tf.Tensor)) as tf.Tensor),
      };
    } catch (e) {
      if (!(e instanceof SeedMismatch)) throw e;
    }
  }
  let kept: T | undefined;
  const grads = vjp(() => {
    const out = fn();
    kept = treeMap<T>((x) => tf.keep(x.clone()), out);
    return dotTrees(out, cotangent);
  }, xs);
  // `tf.keep` made the value survive every scope; hand back ordinary tensors of the current scope.
  const value = treeMap<T>((x) => x.clone(), kept as T);
  treeDispose(kept);
  return { value, grads };
}

/** Σ <a_i, b_i> over the leaves (a scalar tensor), without the structure check of treeDot. @internal */
export function dotTrees(a: Tree, b: Tree): tf.Scalar {
  const la = treeLeaves(a);
  const lb = treeLeaves(b);
  return tf.tidy(() => {
    const parts = la.map((x, i) => tf.sum(tf.mul(x, lb[i] as tf.Tensor)));
    return addMany(parts) as tf.Scalar;
  });
}
