/**
 * Jacobians ∂f/∂y for the implicit solvers, read to the host in float64: by autodiff (one
 * vector–Jacobian product per row of a block), by finite differences, or from a user's function.
 * `dense` treats the whole state as one system; `blockDiagonal` treats a `[B, d]` state as B
 * independent d-dimensional systems (a batch of samples that do not interact) and computes d
 * products for the whole batch at once, giving `[B, d, d]`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, isTensor, vjp } from '@nde/core';

/** How the Jacobian's blocks are laid out: one dense system, or independent `[d, d]` blocks per sample. */
export type JacobianStructure = 'dense' | 'blockDiagonal';

/**
 * Where the Jacobian comes from: `'autodiff'` (vector–Jacobian products), `'finiteDifference'` (one
 * extra evaluation per column of a block), or a function returning `[n, n]` (dense, n = y.size) or
 * `[B, d, d]` (block-diagonal) with entry [i][j] = ∂f_i/∂y_j.
 */
export type JacobianSource = 'autodiff' | 'finiteDifference' | ((t: number, y: tf.Tensor, args: unknown) => tf.Tensor);

/** Jacobian options of the implicit solvers. */
export interface JacobianOptions {
  /** Block structure (default `'dense'`). */
  readonly structure?: JacobianStructure;
  /** Where it comes from (default `'autodiff'`). */
  readonly source?: JacobianSource;
}

/** Sizes of the Newton systems for a state: `blocks` systems of size `n`. @internal */
export function systemShape(shape: readonly number[], structure: JacobianStructure): { blocks: number; n: number } {
  const size = shape.reduce((a, b) => a * b, 1);
  if (structure === 'dense') return { blocks: 1, n: size };
  if (shape.length !== 2) {
    throw new ShapeError(
      'jacobian.structure',
      `'blockDiagonal' needs a [batch, d] state (got shape [${shape.join(', ')}]).`,
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
 * @param y - state (host copy, float64)
 * @param shape - the state's shape
 * @param args - passed to a user Jacobian
 * @param options - structure and source
 * @param f0 - f(t, y) on the host, for finite differences
 * @internal
 */
export function jacobian(
  f: (t: number, y: tf.Tensor) => tf.Tensor,
  t: number,
  y: Float64Array,
  shape: readonly number[],
  args: unknown,
  options: Required<JacobianOptions>,
  f0: Float64Array,
): { J: Float64Array; nfe: number } {
  const { blocks, n } = systemShape(shape, options.structure);
  const J = new Float64Array(blocks * n * n);
  const source = options.source;
  const yT = tf.tensor(Float32Array.from(y), shape as number[]);
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
      out.dispose();
      return { J, nfe: 0 };
    }
    if (source === 'autodiff') {
      // Row i of every block from one vector–Jacobian product with the one-hot cotangent e_i
      // (for blockDiagonal, e_i in every sample at once).
      for (let i = 0; i < n; i++) {
        const row = tf.tidy(() => {
          const unit = new Float32Array(blocks * n);
          for (let b = 0; b < blocks; b++) unit[b * n + i] = 1;
          const [g] = vjp(() => f(t, yT), [yT], tf.tensor(unit, shape as number[]));
          return g as tf.Tensor;
        });
        const g = row.dataSync();
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
        const ypT = tf.tensor(Float32Array.from(yp), shape as number[]);
        const fp = tf.tidy(() => f(t, ypT));
        const v = fp.dataSync();
        tf.dispose([fp, ypT]);
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
    yT.dispose();
  }
}
