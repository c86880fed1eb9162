/**
 * Batched LU factorisation with partial pivoting, and its solves, in tensor ops only: no value is read
 * back to the host, so the implicit solvers can run on webgl/webgpu without a stall per linear solve.
 * tfjs has no LU; this one works on `[B, n, n]` (B independent systems, B = 1 for a dense one) with a
 * JavaScript loop over the n columns (about 20 kernels each), so it suits the small blocks of stiff
 * neural ODEs and chemical kinetics, not large dense systems. float32 throughout.
 */
import * as tf from '@tensorflow/tfjs';

/** Row i of the identity, `[n]`. */
const unit = (n: number, i: number): tf.Tensor1D =>
  tf
    .oneHot(tf.tensor1d([i], 'int32'), n)
    .reshape([n])
    .cast('float32') as tf.Tensor1D;

/** 1 where index > k (`above`) or index < k (`below`), `[n]`. */
const beyond = (n: number, k: number, side: 'above' | 'below'): tf.Tensor1D =>
  tf.tensor1d(Array.from({ length: n }, (_, i) => ((side === 'above' ? i > k : i < k) ? 1 : 0)));

/**
 * The LU factors of a batch of matrices, P A = L U, held on the device.
 *
 * @example
 * ```ts
 * const lu = DeviceLU.factor(tf.tensor3d([[[4, 3], [6, 3]]])); // one 2×2 system
 * const x = lu.solve(tf.tensor2d([[10, 12]]));                // [[1, 2]]
 * lu.dispose();
 * ```
 */
export class DeviceLU {
  private constructor(
    /** L below the diagonal (unit diagonal implied) and U on and above it, `[B, n, n]`. */
    readonly packed: tf.Tensor3D,
    /** The row permutation P as a 0/1 matrix, `[B, n, n]` (a product with it is one kernel, and differentiable). */
    readonly permutation: tf.Tensor3D,
    /** U's diagonal, `[B, n]` (a zero marks a singular matrix; solves then give non-finite values). */
    readonly diagonal: tf.Tensor2D,
  ) {}

  /**
   * Factor `A` (`[B, n, n]`); the caller keeps `A` and owns the result.
   * @param A - the matrices
   */
  static factor(A: tf.Tensor3D): DeviceLU {
    const [B, n] = A.shape as [number, number, number];
    const out = tf.tidy(() => {
      let X: tf.Tensor3D = A.clone();
      let P: tf.Tensor3D = tf.tile(tf.eye(n).expandDims(0), [B, 1, 1]) as tf.Tensor3D;
      for (let k = 0; k < n; k++) {
        // Pivot: the largest |entry| of column k at or below the diagonal.
        const col = tf.reshape(tf.slice(X, [0, 0, k], [B, n, 1]), [B, n]);
        const candidates = tf.sub(tf.abs(col), tf.mul(beyond(n, k, 'below'), 1e30));
        const pivotRow = tf.oneHot(tf.argMax(candidates, 1), n).cast('float32') as tf.Tensor2D; // [B, n]
        // Swap rows k and p: X += (e_k − e_p) ⊗ (X_p − X_k) (no change when p = k).
        const swap = tf.sub(unit(n, k).expandDims(0), pivotRow); // [B, n]
        const rowP = tf.matMul(pivotRow.expandDims(1), X); // [B, 1, n]
        const rowK = tf.slice(X, [0, k, 0], [B, 1, n]);
        X = tf.add(X, tf.mul(swap.expandDims(2), tf.sub(rowP, rowK))) as tf.Tensor3D;
        const pRowP = tf.matMul(pivotRow.expandDims(1), P);
        const pRowK = tf.slice(P, [0, k, 0], [B, 1, n]);
        P = tf.add(P, tf.mul(swap.expandDims(2), tf.sub(pRowP, pRowK))) as tf.Tensor3D;
        if (k === n - 1) break;
        // Eliminate below the pivot, storing the multipliers l in column k.
        const pivotRowNow = tf.slice(X, [0, k, 0], [B, 1, n]); // [B, 1, n]
        const pivot = tf.slice(pivotRowNow, [0, 0, k], [B, 1, 1]).reshape([B, 1]);
        const colNow = tf.reshape(tf.slice(X, [0, 0, k], [B, n, 1]), [B, n]);
        const below = beyond(n, k, 'above');
        const l = tf.mul(tf.div(colNow, pivot), below); // [B, n]
        const update = tf.mul(l.expandDims(2), tf.mul(pivotRowNow, beyond(n, k, 'above').reshape([1, 1, n])));
        const fixColumn = tf.mul(tf.sub(l, tf.mul(colNow, below)).expandDims(2), unit(n, k).reshape([1, 1, n]));
        X = tf.add(tf.sub(X, update), fixColumn) as tf.Tensor3D;
      }
      const diagonal = tf.sum(tf.mul(X, tf.eye(n).expandDims(0)), 2) as tf.Tensor2D;
      return { X, P, diagonal };
    });
    return new DeviceLU(out.X, out.P, out.diagonal);
  }

  /** Size of each system. */
  get n(): number {
    return this.packed.shape[2];
  }

  /**
   * x with A x = b for each system (`b` is `[B, n]`; the caller keeps it and owns the result):
   * P b, forward substitution with the unit lower factor, then backward with the upper one.
   * @param b - right-hand sides
   */
  solve(b: tf.Tensor2D): tf.Tensor2D {
    const n = this.n;
    return tf.tidy(() => {
      const pb = tf.squeeze(tf.matMul(this.permutation, tf.expandDims(b, 2)), [2]) as tf.Tensor2D;
      const lower = tf.mul(this.packed, strictMask(n, 'lower')) as tf.Tensor3D;
      const upper = tf.mul(this.packed, strictMask(n, 'upper')) as tf.Tensor3D;
      return substitute(upper, this.diagonal, substitute(lower, undefined, pb, 'forward'), 'backward');
    });
  }

  /**
   * x with Aᵀ x = b for each system (for gradients: Aᵀ = Uᵀ Lᵀ P): forward substitution with Uᵀ,
   * backward with the unit Lᵀ, then Pᵀ.
   * @param b - right-hand sides, `[B, n]` (kept)
   */
  solveTransposed(b: tf.Tensor2D): tf.Tensor2D {
    const n = this.n;
    return tf.tidy(() => {
      const upperT = tf.transpose(tf.mul(this.packed, strictMask(n, 'upper')), [0, 2, 1]) as tf.Tensor3D;
      const lowerT = tf.transpose(tf.mul(this.packed, strictMask(n, 'lower')), [0, 2, 1]) as tf.Tensor3D;
      const v = substitute(lowerT, undefined, substitute(upperT, this.diagonal, b, 'forward'), 'backward');
      return tf.squeeze(tf.matMul(this.permutation, tf.expandDims(v, 2), true), [2]) as tf.Tensor2D;
    });
  }

  /** Release the factors. */
  dispose(): void {
    tf.dispose([this.packed, this.permutation, this.diagonal]);
  }
}

/** 1 strictly below (`lower`) or strictly above (`upper`) the diagonal, `[1, n, n]`. */
function strictMask(n: number, side: 'lower' | 'upper'): tf.Tensor3D {
  const inclusiveUpper = tf.linalg.bandPart(tf.ones([n, n]), 0, -1);
  const mask = side === 'lower' ? tf.sub(1, inclusiveUpper) : tf.sub(inclusiveUpper, tf.eye(n));
  return mask.expandDims(0) as tf.Tensor3D;
}

/**
 * x with T x = b for a triangular T given by its strict part and its diagonal (undefined: unit),
 * row by row from the top (`forward`, T lower) or from the bottom (`backward`, T upper).
 */
function substitute(strict: tf.Tensor3D, diagonal: tf.Tensor2D | undefined, b: tf.Tensor2D, order: 'forward' | 'backward'): tf.Tensor2D {
  const [B, n] = b.shape;
  let x = b;
  for (let step = 0; step < n; step++) {
    const i = order === 'forward' ? step : n - 1 - step;
    const row = tf.reshape(tf.slice(strict, [0, i, 0], [B, 1, n]), [B, n]);
    const s = tf.sum(tf.mul(row, x), 1, true);
    let xi = tf.sub(tf.slice(b, [0, i], [B, 1]), s);
    if (diagonal) xi = tf.div(xi, tf.slice(diagonal, [0, i], [B, 1]));
    const e = unit(n, i).expandDims(0);
    x = tf.add(tf.mul(x, tf.sub(1, e)), tf.mul(xi, e)) as tf.Tensor2D;
  }
  return x;
}
