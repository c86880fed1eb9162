/**
 * Jacobians ∂f/∂y for the implicit solvers, read to the host in float64: by autodiff (one
 * vector–Jacobian product per row of a block), by finite differences, or from a user's function.
 * `dense` treats the whole state as one system; `blockDiagonal` treats a `[B, d]` state as B
 * independent d-dimensional systems (a batch of samples that do not interact) and computes d
 * products for the whole batch at once, giving `[B, d, d]`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  ShapeError,
  countHostRead,
  isTensor,
  tidyTree,
  treeDispose,
  treeDot,
  treeLeaves,
  vjp,
  type Tree,
} from '@nde/core';
import type { HostLayout } from './layout.js';

/** How the Jacobian's blocks are laid out: one dense system, or independent `[d, d]` blocks per sample. */
export type JacobianStructure = 'dense' | 'blockDiagonal';

/**
 * Where the Jacobian comes from: `'autodiff'` (vector–Jacobian products), `'finiteDifference'` (one
 * extra evaluation per column of a block), or a function returning `[n, n]` (dense, n = y.size) or
 * `[B, d, d]` (block-diagonal) with entry [i][j] = ∂f_i/∂y_j (a tree state's leaves in tree order).
 */
export type JacobianSource = 'autodiff' | 'finiteDifference' | ((t: number, y: Tree, args: unknown) => tf.Tensor);

/** Jacobian options of the implicit solvers. */
export interface JacobianOptions {
  /** Block structure (default `'dense'`). */
  readonly structure?: JacobianStructure;
  /** Where it comes from (default `'autodiff'`). */
  readonly source?: JacobianSource;
}

/**
 * Sizes of the Newton systems for a state: `blocks` systems of size `n`.
 * @param layout - the state's layout
 * @param structure - dense, or block-diagonal over a `[B, d]` state
 * @internal
 */
export function systemShape(layout: HostLayout, structure: JacobianStructure): { blocks: number; n: number } {
  if (structure === 'dense') return { blocks: 1, n: layout.size };
  const shape = layout.shapes[0] as number[];
  if (!layout.single || shape.length !== 2) {
    throw new ShapeError(
      'jacobian.structure',
      `'blockDiagonal' needs one [batch, d] tensor as the state (got ${layout.single ? `shape [${shape.join(', ')}]` : 'a tree'}).`,
      "Reshape the state to [batch, d], or use structure: 'dense'.",
    );
  }
  return { blocks: shape[0] as number, n: shape[1] as number };
}

/**
 * The Jacobian at (t, y) as `blocks` row-major n×n float64 matrices, and the vector-field evaluations
 * it cost (finite differences only).
 * @param f - the vector field on tensors (its result is owned by the caller)
 * @param t - time
 * @param y - state (host vector, float64, in layout order)
 * @param layout - the state's layout
 * @param args - passed to a user Jacobian
 * @param options - structure and source
 * @param f0 - f(t, y) on the host, for finite differences
 * @internal
 */
export function jacobian(
  f: (t: number, y: Tree) => Tree,
  t: number,
  y: Float64Array,
  layout: HostLayout,
  args: unknown,
  options: Required<JacobianOptions>,
  f0: Float64Array,
): { J: Float64Array; nfe: number } {
  const { blocks, n } = systemShape(layout, options.structure);
  const J = new Float64Array(blocks * n * n);
  const source = options.source;
  const yT = layout.tree(y);
  try {
    if (typeof source === 'function') {
      const out = tf.tidy(() => source(t, yT, args));
      const want = options.structure === 'dense' ? [n, n] : [blocks, n, n];
      if (!isTensor(out) || !tf.util.arraysEqual(out.shape, want)) {
        if (isTensor(out)) out.dispose();
        throw new ShapeError(
          'jacobian.source',
          `returned ${isTensor(out) ? `shape [${out.shape.join(', ')}]` : typeof out}, expected [${want.join(', ')}].`,
          'Return ∂f_i/∂y_j with rows i and columns j (per sample for blockDiagonal).',
        );
      }
      J.set(out.dataSync());
      countHostRead();
      out.dispose();
      return { J, nfe: 0 };
    }
    if (source === 'autodiff') {
      // Row i of every block from one vector–Jacobian product with the one-hot cotangent e_i
      // (for blockDiagonal, e_i in every sample at once).
      const leaves = treeLeaves(yT);
      for (let i = 0; i < n; i++) {
        const row = tf.tidy(() => {
          const unit = new Float32Array(layout.size);
          for (let b = 0; b < blocks; b++) unit[b * n + i] = 1;
          const ct = layout.tree(unit);
          const grads = layout.single
            ? vjp(() => f(t, yT) as tf.Tensor, leaves, ct as tf.Tensor)
            : vjp(() => treeDot(f(t, yT), ct), leaves);
          return grads.length === 1 ? (grads[0] as tf.Tensor).reshape([-1]) : tf.concat(grads.map((g) => g.reshape([-1])));
        });
        const g = row.dataSync();
        countHostRead();
        row.dispose();
        for (let b = 0; b < blocks; b++) for (let j = 0; j < n; j++) J[b * n * n + i * n + j] = g[b * n + j] as number;
      }
      return { J, nfe: 0 };
    }
    if (source === 'finiteDifference') {
      // Column j of every block from one evaluation with component j of every sample perturbed.
      for (let j = 0; j < n; j++) {
        const yp = Float64Array.from(y, (v) => Math.fround(v));
        const eps = new Float64Array(blocks);
        for (let b = 0; b < blocks; b++) {
          const k = b * n + j;
          const yk = Math.fround(y[k] as number);
          // √(float32 ε) relative to the component, with a floor far below it for components near 0
          // (Robertson's y2 ~ 1e-5 needs a step of that size, not of 1).
          yp[k] = Math.fround(yk + 3.5e-4 * Math.max(Math.abs(yk), 1e-6));
          // The step the float32 evaluation actually sees.
          eps[b] = (yp[k] as number) - yk;
        }
        const ypT = layout.tree(yp);
        const fp = tidyTree(() => f(t, ypT));
        const v = layout.read(fp);
        treeDispose(fp, ypT);
        for (let b = 0; b < blocks; b++) {
          for (let i = 0; i < n; i++) {
            const k = b * n + i;
            J[b * n * n + i * n + j] = ((v[k] as number) - (f0[k] as number)) / (eps[b] as number);
          }
        }
      }
      return { J, nfe: n };
    }
    throw new InvalidArgumentError('jacobian.source', `must be 'autodiff', 'finiteDifference' or a function (got ${String(source)}).`);
  } finally {
    treeDispose(yT);
  }
}

/**
 * The Jacobian at (t, y) as a `[blocks, n, n]` tensor, computed on the device (no host read): the
 * same sources and structures as {@link jacobian}. The caller owns the result.
 * @param f - the vector field on tensors (its result is owned by the caller)
 * @param t - time
 * @param yT - state (a tree of this layout; kept)
 * @param layout - the state's layout
 * @param args - passed to a user Jacobian
 * @param options - structure and source
 * @param f0 - f(t, y) flattened to `[blocks, n]`, for finite differences
 * @internal
 */
export function deviceJacobian(
  f: (t: number, y: Tree) => Tree,
  t: number,
  yT: Tree,
  layout: HostLayout,
  args: unknown,
  options: Required<JacobianOptions>,
  f0: tf.Tensor2D,
): { J: tf.Tensor3D; nfe: number } {
  const { blocks, n } = systemShape(layout, options.structure);
  const source = options.source;
  const flatOf = (y: Tree): tf.Tensor2D => layout.toBlocks(y, blocks, n);
  if (typeof source === 'function') {
    const J = tf.tidy(() => {
      const out = source(t, yT, args);
      const want = options.structure === 'dense' ? [n, n] : [blocks, n, n];
      if (!isTensor(out) || !tf.util.arraysEqual(out.shape, want)) {
        throw new ShapeError(
          'jacobian.source',
          `returned ${isTensor(out) ? `shape [${out.shape.join(', ')}]` : typeof out}, expected [${want.join(', ')}].`,
          'Return ∂f_i/∂y_j with rows i and columns j (per sample for blockDiagonal).',
        );
      }
      return tf.reshape(out, [blocks, n, n]) as tf.Tensor3D;
    });
    return { J, nfe: 0 };
  }
  if (source === 'autodiff') {
    // Row i of every block from one vector–Jacobian product with the one-hot cotangent e_i.
    const J = tf.tidy(() => {
      const leaves = treeLeaves(yT);
      const rows = Array.from({ length: n }, (_, i) => {
        const unit = tf.tile(tf.oneHot(tf.tensor1d([i], 'int32'), n).cast('float32'), [blocks, 1]);
        const ct = layout.fromBlocks(unit);
        const grads = vjp(() => treeDot(f(t, yT), ct), leaves);
        return flatOf(layout.fromLeaves(grads));
      });
      return tf.stack(rows, 1) as tf.Tensor3D;
    });
    return { J, nfe: 0 };
  }
  if (source === 'finiteDifference') {
    // Column j of every block from one evaluation with component j of every sample perturbed.
    const J = tf.tidy(() => {
      const y = flatOf(yT);
      const cols = Array.from({ length: n }, (_, j) => {
        const unit = tf.oneHot(tf.tensor1d([j], 'int32'), n).cast('float32');
        const step = tf.mul(tf.maximum(tf.abs(y), 1e-6), 3.5e-4);
        const yp = tf.add(y, tf.mul(step, unit));
        // The step the float32 evaluation actually sees.
        const eps = tf.sum(tf.mul(tf.sub(yp, y), unit), 1, true);
        const fp = flatOf(f(t, layout.fromBlocks(yp)));
        return tf.div(tf.sub(fp, f0), eps);
      });
      return tf.stack(cols, 2) as tf.Tensor3D;
    });
    return { J, nfe: n };
  }
  throw new InvalidArgumentError('jacobian.source', `must be 'autodiff', 'finiteDifference' or a function (got ${String(source)}).`);
}
