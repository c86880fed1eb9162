/**
 * One implicit Runge–Kutta step (ESDIRK or IMEX) in tensor ops only, for webgl/webgpu: the Jacobian,
 * a batched LU of I − hγJ and every Newton iteration stay on the device, so no iteration waits on a
 * host read. Without reads Newton cannot stop early: it runs a fixed number of iterations with the
 * host's convergence tests (contraction rate, η‖Δ‖ ≤ κ, the float32 floor) evaluated on the device,
 * freezing each stage once converged; a correction that grows for a while is not fatal as it is on the
 * host, since the remaining iterations run regardless. A stage that did not converge by the last
 * iteration (or went non-finite) marks the step: its error estimate becomes huge (finite), so the
 * controller rejects and shrinks it, as a `'failed'` step. Everything is float32, stage values too
 * (the host keeps them in float64), so the error estimate has a floor near 1e-7·|y|: below rtol
 * ≈ 1e-5 that floor, not the method, limits the step size.
 *
 * Gradients: each converged stage z_i = base_i + hγ f(t_i, z_i) is an op of base_i and θ whose
 * backward pass is the implicit function theorem at z_i with the exact Jacobian there:
 * λ = (I − hγ J(z_i))⁻ᵀ z̄, base̅ = λ, θ̄ = hγ (∂f/∂θ)ᵀ λ — never the Newton iterations.
 */
import * as tf from '@tensorflow/tfjs';
import { tapeOn, tidyTree, treeDot, treeLinearCombination, treeWeightedSum, untaped, vjp, type Tree } from '@nde/core';
import { hermiteWeights, type InterpolationData } from '../interpolation.js';
import { DeviceLU } from './device-lu.js';
import type { ImexTableau } from './imex-tableaus.js';
import { deviceJacobian, systemShape, type JacobianOptions } from './jacobian.js';
import type { HostLayout } from './layout.js';
import type { EsdirkTableau } from './tableaus.js';

/** Corrections below this relative size are float32 rounding (as the host Newton's floor). */
const FLOAT32_NOISE = 4 * 2 ** -23;
/** The error estimate of a step whose Newton did not converge: rejected, never accepted. */
const FAILED_ERROR = 1e30;

/** Settings of the device Newton. */
export interface DeviceNewtonSettings {
  /** Iterations per stage (all of them run: there is no read to stop early). */
  readonly iterations: number;
  /** Stop when the estimated remaining error is below κ in the scaled norm. */
  readonly kappa: number;
  /** Tolerances of the scaled norm. */
  readonly rtol: number;
  readonly atol: number;
}

/** What a device step returns (trees owned by the caller). */
export interface DeviceImplicitResult {
  readonly y1: Tree;
  readonly yError: Tree;
  readonly nfe: number;
  readonly newtonIterations: number;
  readonly interp?: InterpolationData;
}

/**
 * An implicit Runge–Kutta step from (t0, y0) to t1, all on the device.
 * @param T - the tableau (ESDIRK, or IMEX with its explicit coefficients)
 * @param fImplicit - the part Newton solves for (the whole field for ESDIRK)
 * @param fExplicit - IMEX: the explicit part
 * @param t0 - start time
 * @param t1 - end time
 * @param y0 - the state (kept)
 * @param layout - the state's layout
 * @param jac - Jacobian source and structure
 * @param args - passed to a user Jacobian
 * @param newton - iterations, κ and tolerances
 * @param thetas - what gradients flow to besides y0 (variables, args tensors), under a tape
 * @param smooth - pass the error estimate through (I − hγJ)⁻¹
 * @param needsDense - build the cubic Hermite interpolant too
 * @internal
 */
export function deviceImplicitRkStep(
  T: EsdirkTableau | ImexTableau,
  fImplicit: (t: number, y: Tree) => Tree,
  fExplicit: ((t: number, y: Tree) => Tree) | undefined,
  t0: number,
  t1: number,
  y0: Tree,
  layout: HostLayout,
  jac: Required<JacobianOptions>,
  args: unknown,
  newton: DeviceNewtonSettings,
  thetas: readonly tf.Tensor[],
  smooth: boolean,
  needsDense: boolean,
): DeviceImplicitResult {
  const { blocks, n } = systemShape(layout, jac.structure);
  const h = t1 - t0;
  const hg = h * T.gamma;
  const imex = 'aExplicit' in T ? T : undefined;
  const vec = (y: Tree): tf.Tensor2D => layout.toBlocks(y, blocks, n);
  const tree = (v: tf.Tensor): Tree => layout.fromBlocks(v);
  let nfe = 0;
  let iterations = 0;
  const fI = (t: number, v: tf.Tensor): tf.Tensor2D => {
    nfe++;
    return vec(fImplicit(t, tree(v)));
  };
  const fE = fExplicit
    ? (t: number, v: tf.Tensor): tf.Tensor2D => {
        nfe++;
        return vec(fExplicit(t, tree(v)));
      }
    : undefined;
  const differentiate = tapeOn();
  const out = tf.tidy(() => {
    const y0v = vec(y0);
    const k0 = fI(t0, y0v);
    const kE0 = fE?.(t0, y0v);
    // The Newton matrix at the step's start, off the tape (a constant of the iteration).
    const { lu, jn } = untaped(() => {
      const { J, nfe: jn } = deviceJacobian(fImplicit, t0, tree(y0v), layout, args, jac, k0);
      return { jn, lu: DeviceLU.factor(tf.sub(tf.eye(n).expandDims(0), tf.mul(J, hg)) as tf.Tensor3D) };
    });
    nfe += jn;
    const scale = untaped(() => tf.add(tf.mul(tf.abs(y0v), newton.rtol), newton.atol) as tf.Tensor2D);
    const ks: tf.Tensor2D[] = [k0];
    const kEs: tf.Tensor2D[] = kE0 ? [kE0] : [];
    const slopes: tf.Tensor2D[] = [kE0 ? tf.add(k0, kE0) : k0];
    let ok: tf.Tensor = tf.scalar(true, 'bool');
    let z: tf.Tensor2D = y0v;
    for (let i = 1; i < T.c.length; i++) {
      const ti = t0 + (T.c[i] as number) * h;
      const implicitPart = combine(y0v, h, T.a[i] as readonly number[], ks);
      const base = imex ? combine(implicitPart, h, imex.aExplicit[i] as readonly number[], kEs) : implicitPart;
      const guess = combine(y0v, h, T.predictor[i] as readonly number[], slopes);
      const solved = untaped(() => newtonOnDevice(fI, ti, guess, base, hg, lu, scale, newton));
      iterations += newton.iterations;
      ok = tf.logicalAnd(ok, solved.ok);
      z = differentiate ? stageOp(solved.z, base, thetas, fImplicit, ti, hg, layout, jac, args) : solved.z;
      // k_i from the stage equation, (z − base)/(hγ): f(t_i, z) at convergence, without amplifying
      // the Newton residual by the stiffness.
      const k = tf.div(tf.sub(z, base), hg) as tf.Tensor2D;
      ks.push(k);
      const kE = fE?.(ti, z);
      if (kE) kEs.push(kE);
      slopes.push(kE ? tf.add(k, kE) : k);
    }
    const y1 = imex ? combine(y0v, h, imex.b, slopes) : z;
    let err = treeWeightedSum(
      T.bError.map((v) => h * v),
      slopes,
    );
    if (smooth) err = lu.solve(err);
    // A stage that did not converge: an error no controller accepts (finite, so it only shrinks the step).
    err = untaped(() => tf.where(ok, err, tf.fill(err.shape, FAILED_ERROR))) as tf.Tensor2D;
    lu.dispose();
    let f1: tf.Tensor2D | undefined;
    if (needsDense) {
      const fi1 = fI(t1, y1);
      const fe1 = fE?.(t1, y1);
      f1 = fe1 ? (tf.add(fi1, fe1) as tf.Tensor2D) : fi1;
    }
    return { y1, err, slope0: slopes[0] as tf.Tensor2D, f1, y0v };
  });
  const result: DeviceImplicitResult = {
    y1: tidyTree(() => tree(out.y1)),
    yError: tidyTree(() => tree(out.err)),
    nfe,
    newtonIterations: iterations,
    ...(out.f1
      ? {
          interp: {
            vectors: [
              tidyTree(() => tree(tf.sub(out.y1, out.y0v))),
              tidyTree(() => tree(out.slope0)),
              tidyTree(() => tree(out.f1 as tf.Tensor)),
            ],
            weights: hermiteWeights(h),
          },
        }
      : {}),
  };
  tf.dispose([out.y1, out.err, out.slope0, out.y0v, ...(out.f1 ? [out.f1] : [])]);
  return result;
}

/** y + h Σ_j w_j k_j (core's linear combination: one fused kernel on cpu/wasm, one recorded op on a tape). */
function combine(y: tf.Tensor2D, h: number, w: readonly number[], ks: readonly tf.Tensor2D[]): tf.Tensor2D {
  return treeLinearCombination(
    y,
    w.map((wj) => h * wj),
    ks,
  );
}

/**
 * Simplified Newton for z = base + c f(t, z) from `guess`, a fixed number of iterations, with the
 * host's stopping tests evaluated on the device; converged stages stay where they converged.
 */
function newtonOnDevice(
  f: (t: number, v: tf.Tensor) => tf.Tensor2D,
  t: number,
  guess: tf.Tensor2D,
  base: tf.Tensor2D,
  c: number,
  lu: DeviceLU,
  scale: tf.Tensor2D,
  s: DeviceNewtonSettings,
): { z: tf.Tensor2D; ok: tf.Tensor } {
  let z = guess;
  let done: tf.Tensor = tf.scalar(false, 'bool');
  let failed: tf.Tensor = tf.scalar(false, 'bool');
  let prevNorm: tf.Tensor | undefined;
  const rms = (x: tf.Tensor): tf.Tensor => tf.sqrt(tf.mean(tf.square(tf.div(x, scale))));
  for (let it = 0; it < s.iterations; it++) {
    const fz = f(t, z);
    const delta = lu.solve(tf.sub(tf.add(base, tf.mul(fz, c)), z) as tf.Tensor2D);
    const norm = rms(delta);
    const floor = rms(tf.mul(tf.add(tf.abs(z), tf.abs(tf.mul(fz, c))), FLOAT32_NOISE));
    z = tf.where(done, z, tf.add(z, delta)) as tf.Tensor2D;
    let converged = tf.lessEqual(norm, floor);
    if (prevNorm) {
      const rate = tf.div(norm, prevNorm);
      const stagnant = tf.logicalAnd(
        tf.greaterEqual(rate, 0.9),
        tf.logicalOr(tf.lessEqual(norm, tf.mul(floor, 2)), tf.lessEqual(norm, s.kappa)),
      );
      const contracted = tf.logicalAnd(tf.less(rate, 1), tf.lessEqual(tf.mul(tf.div(rate, tf.sub(1, rate)), norm), s.kappa));
      converged = tf.logicalOr(converged, tf.logicalOr(stagnant, contracted));
    } else converged = tf.logicalOr(converged, tf.equal(norm, 0));
    // A growing correction is not a failure here as on the host: every iteration runs anyway, and one
    // that contracts later reaches a root of the stage equation all the same. Non-finite is.
    failed = tf.logicalOr(failed, tf.logicalAnd(tf.logicalNot(done), tf.logicalNot(tf.isFinite(norm))));
    done = tf.logicalOr(done, tf.logicalAnd(converged, tf.logicalNot(failed)));
    prevNorm = norm;
  }
  return { z, ok: tf.logicalAnd(done, tf.logicalNot(failed)) };
}

/**
 * The converged stage z as a differentiable op of base and θ (implicit function theorem at z).
 * @internal
 */
function stageOp(
  z: tf.Tensor2D,
  base: tf.Tensor2D,
  thetas: readonly tf.Tensor[],
  f: (t: number, y: Tree) => Tree,
  t: number,
  c: number,
  layout: HostLayout,
  jac: Required<JacobianOptions>,
  args: unknown,
): tf.Tensor2D {
  const [blocks, n] = z.shape;
  // The op's inputs only carry the gradient connection; z is saved with the op (the step's own copy
  // is released when the step ends, before any backward pass).
  const op = tf.customGrad(((...xs: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const save = xs[xs.length - 1] as (ts: tf.Tensor[]) => void;
    const value = tf.clone(z);
    save([value]);
    return {
      value,
      gradFunc: (dz: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const zTree = layout.fromBlocks(saved[0] as tf.Tensor);
          // Finite differences need f at z; the other sources ignore it.
          const fz = jac.source === 'finiteDifference' ? layout.toBlocks(f(t, zTree), blocks, n) : tf.zeros([blocks, n]);
          const { J } = deviceJacobian(f, t, zTree, layout, args, jac, fz as tf.Tensor2D);
          const lu = DeviceLU.factor(tf.sub(tf.eye(n).expandDims(0), tf.mul(J, c)) as tf.Tensor3D);
          const lambda = lu.solveTransposed(dz as tf.Tensor2D);
          lu.dispose();
          const ct = layout.fromBlocks(tf.mul(lambda, c));
          const thetaBar = thetas.length ? vjp(() => treeDot(f(t, zTree), ct), [...thetas]) : [];
          return [lambda, ...thetaBar];
        }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
  return op(base, ...thetas) as tf.Tensor2D;
}
