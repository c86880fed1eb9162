/**
 * MLP layers under a first-order tape run as one recorded op each (fused-dense.ts): the same values,
 * the same gradients to float32 rounding as op by op, fewer backward kernels; under a nested tape
 * (a gradient taken inside another's recording) they stay plain ops.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { Linear, MLP, canFuseDense, gradientDepth, withOuterTape, type Activation } from '@nde/core';

/** The same MLP as plain ops: layer by layer, no fusion. */
function plain(mlp: MLP, act: (x: tf.Tensor) => tf.Tensor, final: (x: tf.Tensor) => tf.Tensor) {
  return (x: tf.Tensor): tf.Tensor => {
    let h = x;
    mlp.layers.forEach((l: Linear, i) => (h = (i < mlp.layers.length - 1 ? act : final)(l.apply(h))));
    return h;
  };
}

const relMax = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0;
  const scale = Math.max(...Array.from(b, Math.abs), 1e-30);
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) / scale);
  return worst;
};

describeBackends('fused dense layers', () => {
  it.each(['tanh', 'sigmoid', 'relu', 'softplus', 'identity'] as const)(
    '%s: gradients of every parameter and of x equal the op-by-op ones; fewer kernels; no leaks',
    async (name) => {
      await expectNoLeaks(async () => {
        const mlp = new MLP({ sizes: [3, 16, 16, 2], activation: name as Activation, seed: 7 });
        const x = tf.randomNormal([32, 3], 0, 1, 'float32', 8);
        const acts = { tanh: tf.tanh, sigmoid: tf.sigmoid, relu: tf.relu, softplus: tf.softplus, identity: (v: tf.Tensor) => v } as const;
        const ref = plain(mlp, acts[name], (v) => v);
        const vars = mlp.parameters() as tf.Variable[];
        const grads = (f: (x: tf.Tensor) => tf.Tensor) =>
          tf.engine().gradients(() => tf.sum(tf.square(f(x))) as tf.Scalar, [x, ...vars], undefined, true);
        const fused = grads((v) => mlp.apply(v));
        const ops = grads(ref);
        expect(relMax(await fused.value.data(), await ops.value.data())).toBeLessThan(1e-6);
        for (let i = 0; i < fused.grads.length; i++) {
          expect(relMax(await (fused.grads[i] as tf.Tensor).data(), await (ops.grads[i] as tf.Tensor).data())).toBeLessThan(2e-6);
        }
        const count = async (f: (x: tf.Tensor) => tf.Tensor): Promise<number> => {
          const p = await tf.profile(() => {
            const r = grads(f);
            tf.dispose([r.value, ...(r.grads as tf.Tensor[])]);
          });
          return p.kernels.length;
        };
        const [k1, k2] = [await count((v) => mlp.apply(v)), await count(ref)];
        expect(k1).toBeLessThan(k2);
        tf.dispose([fused.value, ...(fused.grads as tf.Tensor[]), ops.value, ...(ops.grads as tf.Tensor[]), x]);
        mlp.dispose();
      });
    },
  );

  it('fuses only under exactly one recording tape: plain ops outside any and under nested tapes', () => {
    const x = tf.ones([2, 3]);
    const seen: number[] = [];
    const probe = (): tf.Scalar => {
      seen.push(gradientDepth());
      return tf.sum(x) as tf.Scalar;
    };
    probe();
    const outer = tf.engine().gradients(
      () => {
        const r = probe();
        const inner = withOuterTape(() => tf.engine().gradients(probe, [x], undefined, true));
        tf.dispose([inner.value, ...(inner.grads as tf.Tensor[])]);
        return r;
      },
      [x],
      undefined,
      true,
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(canFuseDense(x)).toBe(false);
    tf.dispose([outer.value, ...(outer.grads as tf.Tensor[]), x]);
  });
});
