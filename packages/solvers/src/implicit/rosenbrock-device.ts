/**
 * One Rosenbrock–W step in tensor ops only (the Jacobian, its batched LU and every stage on the
 * device): for webgl/webgpu, where a host read per linear solve would stall each step. The only read
 * left is the loop's error ratio. Gradients flow through the tape (W = J and its LU computed off the
 * tape, so held fixed as on the host path: the W-method applied to the variational equation).
 */
import * as tf from '@tensorflow/tfjs';
import { tidyTree, treeLinearCombination, treeWeightedSum, untaped, type Tree } from '@nde/core';
import { hermiteWeights, type InterpolationData } from '../interpolation.js';
import { DeviceLU } from './device-lu.js';
import { deviceJacobian, systemShape, type JacobianOptions } from './jacobian.js';
import type { HostLayout } from './layout.js';
import type { RosenbrockTableau } from './rosenbrock.js';

/** What a device step returns (trees owned by the caller). */
export interface DeviceRosenbrockResult {
  readonly y1: Tree;
  readonly yError: Tree;
  readonly nfe: number;
  readonly interp?: InterpolationData;
}

/**
 * A Rosenbrock–W step from (t0, y0) to t1, all on the device.
 * @param T - the tableau
 * @param f - the vector field on trees
 * @param t0 - start time
 * @param t1 - end time
 * @param y0 - the state (kept)
 * @param layout - the state's layout
 * @param jac - Jacobian source and structure
 * @param args - passed to a user Jacobian
 * @param needsDense - build the cubic Hermite interpolant too
 * @internal
 */
export function deviceRosenbrockStep(
  T: RosenbrockTableau,
  f: (t: number, y: Tree) => Tree,
  t0: number,
  t1: number,
  y0: Tree,
  layout: HostLayout,
  jac: Required<JacobianOptions>,
  args: unknown,
  needsDense: boolean,
): DeviceRosenbrockResult {
  const { blocks, n } = systemShape(layout, jac.structure);
  const h = t1 - t0;
  const vec = (y: Tree): tf.Tensor2D => layout.toBlocks(y, blocks, n);
  const tree = (v: tf.Tensor): Tree => layout.fromBlocks(v);
  const fv = (t: number, v: tf.Tensor): tf.Tensor2D => vec(f(t, tree(v)));
  let nfe = 0;
  const out = tf.tidy(() => {
    const y0v = vec(y0);
    const f0 = fv(t0, y0v);
    nfe++;
    // W = J(t0, y0) and its LU off the tape: constants to the gradient (W fixed), and no backward work.
    const { J, lu, jn } = untaped(() => {
      const { J, nfe: jn } = deviceJacobian(f, t0, tree(y0v), layout, args, jac, f0);
      return { J, jn, lu: DeviceLU.factor(tf.sub(tf.eye(n).expandDims(0), tf.mul(J, h * T.gamma)) as tf.Tensor3D) };
    });
    nfe += jn;
    const Jtimes = (v: tf.Tensor2D): tf.Tensor2D => tf.squeeze(tf.matMul(J, tf.expandDims(v, 2)), [2]);
    // ∂f/∂t by a forward difference in t alone (as the host path).
    const dt = 1e-3 * Math.max(Math.abs(h), 1e-8);
    const ft = tf.div(tf.sub(fv(t0 + dt, y0v), f0), dt);
    nfe++;
    const ks: tf.Tensor2D[] = [];
    T.b.forEach((_, i) => {
      const a = (T.a[i] ?? []) as readonly number[];
      const g = (T.g[i] ?? []) as readonly number[];
      const ci = a.reduce((s, v) => s + v, 0);
      const gi = g.reduce((s, v) => s + v, T.gamma);
      const yi = treeLinearCombination(y0v, a, ks);
      const gk = g.some((v) => v !== 0) ? treeWeightedSum(g, ks) : undefined;
      let fi = f0;
      if (i > 0) {
        fi = fv(t0 + ci * h, yi);
        nfe++;
      }
      let rhs = tf.add(tf.mul(fi, h), tf.mul(ft, h * h * gi));
      if (gk) rhs = tf.add(rhs, tf.mul(Jtimes(gk), h));
      ks.push(lu.solve(rhs as tf.Tensor2D));
    });
    lu.dispose();
    const y1 = treeLinearCombination(y0v, T.b, ks);
    const err = treeWeightedSum(
      T.b.map((b, i) => b - (T.bHat[i] as number)),
      ks,
    );
    const f1 = needsDense ? fv(t1, y1) : undefined;
    if (f1) nfe++;
    return { y1, err, f0, f1 };
  });
  const y1T = tidyTree(() => tree(out.y1));
  const result: DeviceRosenbrockResult = {
    y1: y1T,
    yError: tidyTree(() => tree(out.err)),
    nfe,
    ...(out.f1
      ? {
          interp: {
            vectors: [
              tidyTree(() => tree(tf.sub(out.y1, vec(y0)))),
              tidyTree(() => tree(out.f0)),
              tidyTree(() => tree(out.f1 as tf.Tensor)),
            ],
            weights: hermiteWeights(h),
          },
        }
      : {}),
  };
  tf.dispose([out.y1, out.err, out.f0, ...(out.f1 ? [out.f1] : [])]);
  return result;
}
