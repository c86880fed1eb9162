/**
 * Gradients through an implicit Runge–Kutta step by the implicit function theorem, not by
 * differentiating Newton's iterations (which run on the host). The step is one `tf.customGrad` op
 * whose inputs are y0's leaves, the trainable variables the vector field uses and the tensors in
 * `args`, and whose output is y1. With stage equations z_i = y0 + h Σ_{j<i} a_ij k_j + hγ f(t_i, z_i),
 * k_i = f(t_i, z_i), y1 = z_last (stiffly accurate), the backward pass walks the stages in reverse:
 *
 *   c_i = z̄_i + J_iᵀ k̄_i,   (I − hγ J_i)ᵀ λ_i = c_i,   ȳ0 += λ_i,   k̄_j += h a_ij λ_i (j < i),
 *   θ̄ += (∂f_i/∂θ)ᵀ (k̄_i + hγ λ_i),   and for the explicit stage ȳ0 += J_0ᵀ k̄_0, θ̄ += (∂f_0/∂θ)ᵀ k̄_0,
 *
 * with J_i the exact Jacobian at each converged stage (not Newton's frozen one), so the gradient is
 * that of the exact discrete step. IMEX steps add the explicit slopes kE_i = fE(t_i, z_i) (their
 * VJPs join c_i, their coefficients k̄E_j += h aE_ij λ_i) and y1 = y0 + h Σ b (kE + kI).
 */
import * as tf from '@tensorflow/tfjs';
import { tidyTree, treeDispose, treeDot, treeLeaves, vjp, type Tree } from '@nde/core';
import { jacobian, systemShape, type JacobianOptions } from './jacobian.js';
import type { HostLayout } from './layout.js';
import { factorNewtonMatrix, hostField, type NewtonWork } from './newton.js';

/** What the backward pass of a step needs from its forward pass. @internal */
export interface StepRecord {
  readonly t0: number;
  readonly h: number;
  readonly gamma: number;
  /** The tableau's lower coefficients. */
  readonly a: readonly (readonly number[])[];
  /** Stage times. */
  readonly ts: readonly number[];
  /** Stage values: z_0 = y0, then each converged implicit stage. */
  readonly zs: readonly Float64Array[];
  /**
   * IMEX: the explicit part's field and coefficients, and the shared weights (y1 = y0 + h Σ b (kE + kI)
   * instead of the last stage).
   */
  readonly imex?: {
    readonly fExplicit: (t: number, y: Tree) => Tree;
    readonly aExplicit: readonly (readonly number[])[];
    readonly b: readonly number[];
  };
}

/** Inputs the step is differentiated with respect to, besides y0. @internal */
export interface Differentiated {
  readonly vars: readonly tf.Variable[];
  readonly args: readonly tf.Tensor[];
}

/**
 * y1 as a differentiable op of y0 (a tree), the variables and the args tensors.
 * @param y1 - the forward result (host)
 * @param y0 - the step's input state (on the tape)
 * @param layout - the state's layout
 * @param record - the stages, for the backward pass
 * @param wrt - variables and args tensors
 * @param f - the vector field on trees
 * @param jac - Jacobian options (the backward pass uses the exact Jacobian at each stage)
 * @param argsValue - passed to a user Jacobian
 * @internal
 */
export function differentiableStep(
  y1: Float64Array,
  y0: Tree,
  layout: HostLayout,
  record: StepRecord,
  wrt: Differentiated,
  f: (t: number, y: Tree) => Tree,
  jac: Required<JacobianOptions>,
  argsValue: unknown,
): Tree {
  const y0Leaves = treeLeaves(y0);
  const thetas = [...wrt.vars, ...wrt.args];
  // The op's inputs only carry the gradient connection: the value was computed on the host.
  const op = tf.customGrad(() => {
    const value = tf.tensor(Float32Array.from(y1));
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const { y0bar, thetaBar } = backward(Float64Array.from(dy.dataSync()), layout, record, thetas, f, jac, argsValue);
        const y0Tree = layout.tree(y0bar);
        const y0Grads = treeLeaves(y0Tree);
        return [...y0Grads, ...thetaBar];
      },
    };
  }) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
  const flat = op(...y0Leaves, ...thetas);
  const out = tidyTree(() => {
    let o = 0;
    const leaves = layout.shapes.map((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const part = tf.reshape(tf.slice(flat, [o], [n]), shape);
      o += n;
      return part;
    });
    return layout.single ? (leaves[0] as tf.Tensor) : layout.fromLeaves(leaves);
  });
  flat.dispose();
  return out;
}

/** The backward pass's evaluations are not the solve's work: counted nowhere. */
const uncounted: NewtonWork = { nfe: 0, jacobians: 0, factorizations: 0, newtonIterations: 0 };

/** ȳ0 (host) and θ̄ (tensors) from ȳ1. */
function backward(
  ybar: Float64Array,
  layout: HostLayout,
  r: StepRecord,
  thetas: readonly tf.Tensor[],
  f: (t: number, y: Tree) => Tree,
  jac: Required<JacobianOptions>,
  argsValue: unknown,
): { y0bar: Float64Array; thetaBar: tf.Tensor[] } {
  const N = ybar.length;
  const s = r.zs.length;
  const kbar = r.zs.map(() => new Float64Array(N));
  // IMEX: cotangents of the explicit slopes too; y1 = y0 + h Σ b (kE + kI) feeds y0 and both slopes.
  const kEbar = r.zs.map(() => new Float64Array(N));
  const y0bar = new Float64Array(N);
  if (r.imex) {
    for (let q = 0; q < N; q++) y0bar[q] = ybar[q] as number;
    r.imex.b.forEach((bj, j) => {
      for (let q = 0; q < N; q++) {
        (kbar[j] as Float64Array)[q] = r.h * bj * (ybar[q] as number);
        (kEbar[j] as Float64Array)[q] = r.h * bj * (ybar[q] as number);
      }
    });
  }
  let thetaBar = thetas.map((x) => tf.zerosLike(x));
  const addTheta = (g: tf.Tensor[]): void => {
    const next = thetaBar.map((t, i) => tf.add(t, g[i] as tf.Tensor));
    tf.dispose([...thetaBar, ...g]);
    thetaBar = next;
  };
  // One VJP of f at (t, z) with a host cotangent: the z part on the host, the θ part as tensors.
  const vjpAt = (t: number, z: Float64Array, ct: Float64Array, field = f): { z: Float64Array; theta: tf.Tensor[] } => {
    const zT = layout.tree(z);
    const ctT = layout.tree(ct);
    const zLeaves = treeLeaves(zT);
    const grads = vjp(() => treeDot(field(t, zT), ctT), [...zLeaves, ...thetas]);
    const zPart = layout.read(layout.fromLeaves(grads.slice(0, zLeaves.length)));
    tf.dispose(grads.slice(0, zLeaves.length));
    treeDispose(zT, ctT);
    return { z: zPart, theta: grads.slice(zLeaves.length) };
  };
  const isZero = (x: Float64Array): boolean => x.every((v) => v === 0);
  const { blocks, n } = systemShape(layout, jac.structure);
  for (let i = s - 1; i >= 1; i--) {
    const t = r.ts[i] as number;
    const z = r.zs[i] as Float64Array;
    const c = i === s - 1 && !r.imex ? Float64Array.from(ybar) : new Float64Array(N);
    const kb = kbar[i] as Float64Array;
    if (!isZero(kb)) {
      const g = vjpAt(t, z, kb);
      for (let q = 0; q < N; q++) c[q] = (c[q] as number) + (g.z[q] as number);
      addTheta(g.theta);
    }
    const keb = kEbar[i] as Float64Array;
    if (r.imex && !isZero(keb)) {
      const g = vjpAt(t, z, keb, r.imex.fExplicit);
      for (let q = 0; q < N; q++) c[q] = (c[q] as number) + (g.z[q] as number);
      addTheta(g.theta);
    }
    // (I − hγ J_i)ᵀ λ = c, with the exact Jacobian at the converged stage.
    // Finite differences need f at the stage; the other sources ignore it.
    const fz = jac.source === 'finiteDifference' ? hostField(f, layout, uncounted)(t, z) : new Float64Array(N);
    const J = jacobian(f, t, z, layout, argsValue, jac, fz).J;
    const hg = r.h * r.gamma;
    const lu = factorNewtonMatrix(J, hg, blocks, n);
    const lambda = lu ? lu.solveTransposed(c) : c.fill(NaN);
    for (let q = 0; q < N; q++) y0bar[q] = (y0bar[q] as number) + (lambda[q] as number);
    const row = r.a[i] as readonly number[];
    row.forEach((aij, j) => {
      if (aij === 0) return;
      const kj = kbar[j] as Float64Array;
      for (let q = 0; q < N; q++) kj[q] = (kj[q] as number) + r.h * aij * (lambda[q] as number);
    });
    ((r.imex?.aExplicit[i] ?? []) as readonly number[]).forEach((aij, j) => {
      if (aij === 0) return;
      const kj = kEbar[j] as Float64Array;
      for (let q = 0; q < N; q++) kj[q] = (kj[q] as number) + r.h * aij * (lambda[q] as number);
    });
    if (thetas.length) {
      const ct = Float64Array.from(lambda, (v) => hg * v);
      const g = vjpAt(t, z, ct);
      addTheta(g.theta);
    }
  }
  const kb0 = kbar[0] as Float64Array;
  if (!isZero(kb0)) {
    const g = vjpAt(r.ts[0] as number, r.zs[0] as Float64Array, kb0);
    for (let q = 0; q < N; q++) y0bar[q] = (y0bar[q] as number) + (g.z[q] as number);
    addTheta(g.theta);
  }
  const keb0 = kEbar[0] as Float64Array;
  if (r.imex && !isZero(keb0)) {
    const g = vjpAt(r.ts[0] as number, r.zs[0] as Float64Array, keb0, r.imex.fExplicit);
    for (let q = 0; q < N; q++) y0bar[q] = (y0bar[q] as number) + (g.z[q] as number);
    addTheta(g.theta);
  }
  return { y0bar, thetaBar };
}
