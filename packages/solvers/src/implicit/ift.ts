/**
 * Gradients through the implicit solvers' steps, whose values are computed on the host. Each step
 * becomes one `tf.customGrad` op ({@link hostStepOp}) whose inputs carry the gradient connection (y0's
 * leaves or a history, then the trainable variables the field uses and the tensors in `args`) and
 * whose backward pass is written out by hand with {@link HostBackward}: vector–Jacobian products of
 * the field on the host, and transposed solves with I − cJ.
 *
 * Implicit Runge–Kutta steps are differentiated by the implicit function theorem, not by
 * differentiating Newton's iterations. With stage equations z_i = y0 + h Σ_{j<i} a_ij k_j + hγ f(t_i, z_i),
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
import { argTensors, tapeOn, treeDispose, treeDot, treeLeaves, treeSub, usedVariables, vjp, type Tree } from '@nde/core';
import { hermiteWeights, type InterpolationData } from '../interpolation.js';
import { jacobian, systemShape, type JacobianOptions } from './jacobian.js';
import type { HostLayout } from './layout.js';
import { factorNewtonMatrix, hostField, type NewtonWork } from './newton.js';

/** What the backward pass of an implicit Runge–Kutta step needs from its forward pass. @internal */
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

/** Inputs the step is differentiated with respect to, besides the state. @internal */
export interface Differentiated {
  readonly vars: readonly tf.Variable[];
  readonly args: readonly tf.Tensor[];
}

/** The tensors a step is differentiated with respect to besides its state: variables, then args. @internal */
export function thetasOf(wrt: Differentiated): tf.Tensor[] {
  return [...wrt.vars, ...wrt.args];
}

/**
 * A host-computed flat value as a differentiable op of `inputs`.
 * @param value - the forward result, flat (host)
 * @param inputs - what the result depends on (they only carry the gradient connection)
 * @param backward - from the result's cotangent (host) to one gradient per input (tensors, owned by tfjs)
 * @internal
 */
export function hostStepOp(value: Float64Array, inputs: readonly tf.Tensor[], backward: (outBar: Float64Array) => tf.Tensor[]): tf.Tensor {
  const op = tf.customGrad(() => ({
    value: tf.tensor1d(Float32Array.from(value)),
    gradFunc: (dy: tf.Tensor) => backward(Float64Array.from(dy.dataSync())),
  })) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
  return op(...inputs);
}

/** The backward passes' evaluations are not the solve's work: counted nowhere. */
const uncounted: NewtonWork = { nfe: 0, jacobians: 0, factorizations: 0, newtonIterations: 0 };

/**
 * Bookkeeping of a hand-written backward pass on the host: vector–Jacobian products of the field at
 * host points (the state part returned, the θ part accumulated as tensors) and transposed solves with
 * I − cJ at the exact Jacobian. @internal
 */
export class HostBackward {
  private thetaBar: tf.Tensor[] | undefined;

  /**
   * @param layout - the state's layout
   * @param thetas - the other inputs (variables, args tensors)
   * @param f - the vector field on trees
   * @param jac - Jacobian source and structure (for the transposed solves)
   * @param argsValue - passed to a user Jacobian
   */
  constructor(
    private readonly layout: HostLayout,
    private readonly thetas: readonly tf.Tensor[],
    private readonly f: (t: number, y: Tree) => Tree,
    private readonly jac: Required<JacobianOptions>,
    private readonly argsValue: unknown,
  ) {}

  /**
   * (∂field/∂z)ᵀ ct at (t, z) on the host; (∂field/∂θ)ᵀ ct joins θ̄.
   * @param t - time
   * @param z - the point (host)
   * @param ct - the cotangent (host)
   * @param field - the field to differentiate (default the one this pass was made for)
   */
  vjp(t: number, z: Float64Array, ct: Float64Array, field = this.f): Float64Array {
    const zT = this.layout.tree(z);
    const ctT = this.layout.tree(ct);
    const zLeaves = treeLeaves(zT);
    const grads = vjp(() => treeDot(field(t, zT), ctT), [...zLeaves, ...this.thetas]);
    const zPart = this.layout.read(this.layout.fromLeaves(grads.slice(0, zLeaves.length)));
    tf.dispose(grads.slice(0, zLeaves.length));
    treeDispose(zT, ctT);
    this.addTheta(grads.slice(zLeaves.length));
    return zPart;
  }

  /**
   * θ̄ += (∂f/∂θ)ᵀ ct at (t, z), when there is any θ.
   * @param t - time
   * @param z - the point (host)
   * @param ct - the cotangent (host)
   */
  vjpTheta(t: number, z: Float64Array, ct: Float64Array): void {
    if (this.thetas.length) this.vjp(t, z, ct);
  }

  /**
   * x with (I − c J(t, z))ᵀ x = rhs, J the exact Jacobian at (t, z); NaN when I − cJ is singular.
   * @param t - time
   * @param z - where the Jacobian is taken (host)
   * @param c - the coefficient of J
   * @param rhs - the right-hand side (host)
   */
  solveTransposed(t: number, z: Float64Array, c: number, rhs: Float64Array): Float64Array {
    // Finite differences need f at the point; the other sources ignore it.
    const fz = this.jac.source === 'finiteDifference' ? hostField(this.f, this.layout, uncounted)(t, z) : new Float64Array(z.length);
    const J = jacobian(this.f, t, z, this.layout, this.argsValue, this.jac, fz).J;
    const { blocks, n } = systemShape(this.layout, this.jac.structure);
    const lu = factorNewtonMatrix(J, c, blocks, n);
    return lu ? lu.solveTransposed(rhs) : new Float64Array(rhs.length).fill(NaN);
  }

  /** θ̄, one tensor per θ (zeros where nothing flowed); the caller (tfjs) owns them. */
  takeThetaBar(): tf.Tensor[] {
    const out = this.thetaBar ?? this.thetas.map((x) => tf.zerosLike(x));
    this.thetaBar = undefined;
    return out;
  }

  private addTheta(g: tf.Tensor[]): void {
    if (!g.length) return;
    if (!this.thetaBar) {
      this.thetaBar = g;
      return;
    }
    const next = this.thetaBar.map((t, i) => tf.add(t, g[i] as tf.Tensor));
    tf.dispose([...this.thetaBar, ...g]);
    this.thetaBar = next;
  }
}

/** Adds s·x into acc in place. */
export function axpy(acc: Float64Array, s: number, x: Float64Array): void {
  if (s === 0) return;
  for (let q = 0; q < acc.length; q++) acc[q] = (acc[q] as number) + s * (x[q] as number);
}

const isZero = (x: Float64Array): boolean => x.every((v) => v === 0);

/**
 * What an implicit step under a gradient tape is differentiated with respect to, besides y0: the
 * variables the field uses (found once per solve) and the tensors in `args`; undefined off the tape.
 * @param probe - one evaluation of the field at the solve's start
 * @param args - the solve's `args`
 * @internal
 */
export function gradientInputs(probe: () => Tree, args: unknown): Differentiated | undefined {
  return tapeOn() ? { vars: usedVariables(probe), args: argTensors(args) } : undefined;
}

/**
 * y1 of a one-step method, computed on the host, as a differentiable op of y0 (a tree), the
 * variables and the args tensors; `backward` maps ȳ1 to ȳ0 and adds θ̄ to its pass.
 * @param y1 - the forward result (host)
 * @param y0 - the step's input state (on the tape)
 * @param layout - the state's layout
 * @param wrt - variables and args tensors
 * @param f - the vector field on trees
 * @param jac - Jacobian options (for the backward pass's transposed solves)
 * @param argsValue - passed to a user Jacobian
 * @param backward - the step's hand-written backward pass
 * @internal
 */
export function differentiableOneStep(
  y1: Float64Array,
  y0: Tree,
  layout: HostLayout,
  wrt: Differentiated,
  f: (t: number, y: Tree) => Tree,
  jac: Required<JacobianOptions>,
  argsValue: unknown,
  backward: (ybar: Float64Array, pass: HostBackward) => Float64Array,
): Tree {
  const thetas = thetasOf(wrt);
  const flat = hostStepOp(y1, [...treeLeaves(y0), ...thetas], (ybar) => {
    const pass = new HostBackward(layout, thetas, f, jac, argsValue);
    const y0bar = backward(ybar, pass);
    return [...treeLeaves(layout.tree(y0bar)), ...pass.takeThetaBar()];
  });
  const out = layout.fromFlat(flat);
  flat.dispose();
  return out;
}

/**
 * y1 of an implicit Runge–Kutta step as a differentiable op of y0 (a tree), the variables and the args tensors.
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
  return differentiableOneStep(y1, y0, layout, wrt, f, jac, argsValue, (ybar, pass) => implicitRkBackward(ybar, record, pass));
}

/**
 * A step's cubic Hermite interpolant from differentiable tensors (two evaluations): under gradients
 * the host-built one would cut the tape.
 * @param evaluate - the full vector field
 * @param t0 - step start
 * @param t1 - step end
 * @param y0 - the state at t0 (on the tape)
 * @param y1 - the state at t1 (on the tape)
 * @internal
 */
export function tapedHermite(evaluate: (t: number, y: Tree) => Tree, t0: number, t1: number, y0: Tree, y1: Tree): InterpolationData {
  return { vectors: [treeSub(y1, y0), evaluate(t0, y0), evaluate(t1, y1)], weights: hermiteWeights(t1 - t0) };
}

/** ȳ0 (host) from ȳ1; θ̄ accumulates in `pass`. */
function implicitRkBackward(ybar: Float64Array, r: StepRecord, pass: HostBackward): Float64Array {
  const N = ybar.length;
  const s = r.zs.length;
  const kbar = r.zs.map(() => new Float64Array(N));
  // IMEX: cotangents of the explicit slopes too; y1 = y0 + h Σ b (kE + kI) feeds y0 and both slopes.
  const kEbar = r.zs.map(() => new Float64Array(N));
  const y0bar = new Float64Array(N);
  if (r.imex) {
    y0bar.set(ybar);
    r.imex.b.forEach((bj, j) => {
      axpy(kbar[j] as Float64Array, r.h * bj, ybar);
      axpy(kEbar[j] as Float64Array, r.h * bj, ybar);
    });
  }
  const hg = r.h * r.gamma;
  for (let i = s - 1; i >= 1; i--) {
    const t = r.ts[i] as number;
    const z = r.zs[i] as Float64Array;
    const c = i === s - 1 && !r.imex ? Float64Array.from(ybar) : new Float64Array(N);
    const kb = kbar[i] as Float64Array;
    if (!isZero(kb)) axpy(c, 1, pass.vjp(t, z, kb));
    const keb = kEbar[i] as Float64Array;
    if (r.imex && !isZero(keb)) axpy(c, 1, pass.vjp(t, z, keb, r.imex.fExplicit));
    // (I − hγ J_i)ᵀ λ = c, with the exact Jacobian at the converged stage.
    const lambda = pass.solveTransposed(t, z, hg, c);
    axpy(y0bar, 1, lambda);
    (r.a[i] as readonly number[]).forEach((aij, j) => axpy(kbar[j] as Float64Array, r.h * aij, lambda));
    ((r.imex?.aExplicit[i] ?? []) as readonly number[]).forEach((aij, j) => axpy(kEbar[j] as Float64Array, r.h * aij, lambda));
    pass.vjpTheta(
      t,
      z,
      Float64Array.from(lambda, (v) => hg * v),
    );
  }
  const kb0 = kbar[0] as Float64Array;
  if (!isZero(kb0)) axpy(y0bar, 1, pass.vjp(r.ts[0] as number, r.zs[0] as Float64Array, kb0));
  const keb0 = kEbar[0] as Float64Array;
  if (r.imex && !isZero(keb0)) axpy(y0bar, 1, pass.vjp(r.ts[0] as number, r.zs[0] as Float64Array, keb0, r.imex.fExplicit));
  return y0bar;
}
