/**
 * The fused one-pass kernels of cpu and wasm (Runge–Kutta linear combinations, the scaled error norm)
 * against the op-by-op path they replace: equal to float32 rounding, gradients unchanged, one kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { fusedAllFinite, fusedScaledNorm, setFusedKernels, treeLinearCombination } from '@nde/core';

const withFused = <T>(on: boolean, fn: () => T): T => {
  setFusedKernels(on);
  try {
    return fn();
  } finally {
    setFusedKernels(true);
  }
};

describeBackends('fused host kernels', () => {
  it('treeLinearCombination: one kernel, equal to mul + addN to float32 rounding, same gradients; no leaks', async () => {
    await expectNoLeaks(async () => {
      const base = tf.randomNormal([64, 3], 0, 1, 'float32', 1);
      const ks = [2, 3, 4].map((s) => tf.randomNormal([64, 3], 0, 1, 'float32', s));
      const cs = [0.25, -1.5, 1e-3];
      const fused = withFused(true, () => treeLinearCombination(base, cs, ks));
      const ops = withFused(false, () => treeLinearCombination(base, cs, ks));
      const a = fused.dataSync();
      const b = ops.dataSync();
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(b[i]!))));
      const profile = await tf.profile(() => tf.dispose(treeLinearCombination(base, cs, ks)));
      expect(profile.kernels.map((k) => k.name)).toEqual(['NdeLinearCombination']);
      // Gradients through the recorded op are those of the linear map.
      const grads = tf.grads((x: tf.Tensor, k: tf.Tensor) => tf.sum(tf.square(treeLinearCombination(x, [0.5], [k]))))([base, ks[0]!]);
      const want = tf.tidy(() => tf.mul(tf.add(base, tf.mul(ks[0]!, 0.5)), 2));
      const gap = (x: tf.Tensor, y: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!);
      expect(gap(grads[0]!, want)).toBeLessThan(1e-6);
      expect(tf.tidy(() => gap(grads[1]!, tf.mul(want, 0.5)))).toBeLessThan(1e-6);
      tf.dispose([base, ...ks, fused, ops, ...grads, want]);
    });
  });

  it('fusedScaledNorm: RMS and max of e / (atol + rtol max(|y0|, |y1|)) equal the float64 formula; NaN propagates', async () => {
    await expectNoLeaks(() => {
      const e = tf.tensor1d([1e-4, -2e-4, 3e-5]);
      const y0 = tf.tensor1d([1, -0.5, 0]);
      const y1 = tf.tensor1d([0.9, -0.7, 1e-3]);
      const scale = [1e-4 + 1e-3 * 1, 1e-4 + 1e-3 * 0.7, 1e-4 + 1e-3 * 1e-3];
      const r = [1e-4 / scale[0]!, -2e-4 / scale[1]!, 3e-5 / scale[2]!];
      const rms = Math.sqrt(r.reduce((s, v) => s + v * v, 0) / 3);
      const rmsT = fusedScaledNorm(e, y0, y1, 1e-3, 1e-4, 'rms')!;
      const maxT = fusedScaledNorm(e, y0, y1, 1e-3, 1e-4, 'max')!;
      expect(Math.abs(rmsT.dataSync()[0]! - rms) / rms).toBeLessThan(1e-6);
      expect(Math.abs(maxT.dataSync()[0]! - Math.max(...r.map(Math.abs))) / rms).toBeLessThan(1e-6);
      const nanE = tf.tensor1d([0, NaN, 0]);
      for (const kind of ['rms', 'max'] as const) {
        const nanT = fusedScaledNorm(nanE, y0, y1, 1e-3, 1e-4, kind)!;
        expect(Number.isNaN(nanT.dataSync()[0])).toBe(true);
        nanT.dispose();
      }
      tf.dispose([e, y0, y1, rmsT, maxT, nanE]);
    });
  });

  it('fusedAllFinite: one kernel over every leaf; 0 for NaN, +Infinity or -Infinity anywhere, 1 otherwise', async () => {
    await expectNoLeaks(async () => {
      const a = tf.randomNormal([100, 3], 0, 1, 'float32', 1);
      const cases: [number[], number][] = [
        [[1, 2, 3], 1],
        [[1, NaN, 3], 0],
        [[Infinity, 0, 0], 0],
        [[0, 0, -Infinity], 0],
        [[3.4e38, -3.4e38, 1e-45], 1],
      ];
      for (const [values, expected] of cases) {
        const b = tf.tensor1d(values);
        const flag = fusedAllFinite([a, b]) as tf.Scalar;
        expect(flag.dataSync()[0]).toBe(expected);
        tf.dispose([b, flag]);
      }
      const profile = await tf.profile(() => tf.dispose(fusedAllFinite([a, a])));
      expect(profile.kernels.map((k) => k.name)).toEqual(['NdeAllFinite']);
      expect(withFused(false, () => fusedAllFinite([a]))).toBeUndefined();
      a.dispose();
    });
  });
});
