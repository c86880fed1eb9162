/**
 * Control paths (issue #18): exactness on linear data, the continuity each kind promises, scipy's natural
 * spline (fixture from tooling/reference/scripts/natural_spline.py), gradients with respect to the data
 * against finite differences, NaN filling and count channels.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, loadReference } from '@nde/test-utils';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import {
  hermiteCubicInterpolation,
  linearInterpolation,
  naturalCubicSpline,
  rectilinearInterpolation,
  type ControlPath,
  type InterpolationOptions,
} from '@nde/solvers';

type Factory = (v: tf.Tensor, ts: readonly number[], o?: InterpolationOptions) => ControlPath;
const KINDS: [string, Factory, number][] = [
  ['linear', linearInterpolation, 0],
  ['hermite (backward)', hermiteCubicInterpolation, 1],
  ['natural spline', naturalCubicSpline, 2],
];
const read = (x: tf.Tensor): number[] => Array.from(x.dataSync());
const TS = [0, 0.3, 0.5, 1.2, 1.3, 2];

describeBackends('control paths', () => {
  for (const [name, make, smoothness] of KINDS) {
    it(`${name}: exact on data linear in t (value and derivative), nothing leaked`, async () => {
      // x(t) = 2 − 3t (channel 0), 0.5 t (channel 1), two series.
      const vals = tf.tensor3d(
        [0, 1].flatMap((b) => TS.flatMap((t) => [2 - 3 * t + b, 0.5 * t])),
        [2, TS.length, 2],
      );
      await expectNoLeaks(() => {
        const X = make(vals, TS);
        expect([X.batch, X.channels, X.t0, X.t1]).toEqual([2, 2, 0, 2]);
        for (const t of [0, 0.1, 0.3, 0.77, 1.25, 2]) {
          const x = X.evaluate(t);
          const d = X.derivative(t);
          const xv = read(x);
          const dv = read(d);
          [2 - 3 * t, 0.5 * t, 3 - 3 * t, 0.5 * t].forEach((w, k) => expect(xv[k]).toBeCloseTo(w, 5));
          [-3, 0.5, -3, 0.5].forEach((w, k) => expect(dv[k]).toBeCloseTo(w, 4));
          tf.dispose([x, d]);
        }
        X.dispose();
      });
      vals.dispose();
    });

    it(`${name}: passes through the data, with derivatives continuous up to order ${smoothness}`, async () => {
      const data = TS.map((t) => Math.sin(3 * t) + t * t);
      const vals = tf.tensor3d(data, [1, TS.length, 1]);
      await expectNoLeaks(() => {
        const X = make(vals, TS);
        TS.forEach((t, i) => {
          const x = X.evaluate(t);
          expect(read(x)[0]).toBeCloseTo(data[i] as number, 5);
          x.dispose();
        });
        const at = (t: number, f: 'evaluate' | 'derivative'): number => {
          const v = X[f](t);
          const r = read(v)[0] as number;
          v.dispose();
          return r;
        };
        const eps = 1e-4;
        for (const k of TS.slice(1, -1)) {
          expect(Math.abs(at(k - eps, 'evaluate') - at(k + eps, 'evaluate'))).toBeLessThan(1e-2);
          const jump = Math.abs(at(k - eps, 'derivative') - at(k + eps, 'derivative'));
          if (smoothness >= 1) expect(jump).toBeLessThan(5e-3);
          else expect(jump).toBeGreaterThan(1e-2);
          if (smoothness >= 2) {
            // Second derivative by differences of the derivative on each side.
            const left = (at(k - eps, 'derivative') - at(k - 2 * eps, 'derivative')) / eps;
            const right = (at(k + 2 * eps, 'derivative') - at(k + eps, 'derivative')) / eps;
            expect(Math.abs(left - right)).toBeLessThan(0.2);
          }
        }
        X.dispose();
      });
      vals.dispose();
    });
  }

  it("natural spline equals scipy's CubicSpline(bc_type='natural') (values and derivatives)", async () => {
    const ref = loadReference<{ ts: number[]; values: number[][][]; query: number[]; evaluate: number[][][]; derivative: number[][][] }>(
      'natural_spline.json',
    );
    const vals = tf.tensor3d(ref.values);
    await expectNoLeaks(() => {
      const X = naturalCubicSpline(vals, ref.ts);
      let worst = 0;
      let worstD = 0;
      ref.query.forEach((t, q) => {
        const x = X.evaluate(t);
        const d = X.derivative(t);
        const xv = read(x);
        const dv = read(d);
        [0, 1].forEach((b) =>
          [0, 1].forEach((c) => {
            worst = Math.max(worst, Math.abs((xv[2 * b + c] as number) - (ref.evaluate[b]![q]![c] as number)));
            worstD = Math.max(worstD, Math.abs((dv[2 * b + c] as number) - (ref.derivative[b]![q]![c] as number)));
          }),
        );
        tf.dispose([x, d]);
      });
      // float32 coefficients on knots as close as 0.007 apart: 1e-4 on values, 1e-2 on derivatives.
      expect(worst).toBeLessThan(1e-4);
      expect(worstD).toBeLessThan(1e-2);
      X.dispose();
    });
    vals.dispose();
  });

  for (const [name, make] of KINDS) {
    it(`${name}: gradients with respect to the data equal finite differences`, async () => {
      const base = TS.map((t) => Math.cos(2 * t));
      const w = [0.7, -1.3];
      const loss = (v: tf.Tensor): tf.Scalar => {
        const X = make(v, TS);
        const x = X.evaluate(0.9);
        const d = X.derivative(1.25);
        const l = tf.add(tf.mul(tf.sum(x), w[0] as number), tf.mul(tf.sum(d), w[1] as number)) as tf.Scalar;
        X.dispose();
        return l;
      };
      await expectNoLeaks(() => {
        const v = tf.tensor3d(base, [1, TS.length, 1]);
        const g = tf.grad(loss)(v);
        const gv = read(g);
        const h = 1e-2;
        base.forEach((_, i) => {
          const plus = base.map((b, j) => (j === i ? b + h : b));
          const minus = base.map((b, j) => (j === i ? b - h : b));
          const lp = tf.tidy(() => loss(tf.tensor3d(plus, [1, TS.length, 1])).dataSync()[0] as number);
          const lm = tf.tidy(() => loss(tf.tensor3d(minus, [1, TS.length, 1])).dataSync()[0] as number);
          expect(gv[i]).toBeCloseTo((lp - lm) / (2 * h), 2);
        });
        tf.dispose([v, g]);
      });
    });
  }

  it('NaN: missing values are filled linearly in time (nearest at the ends); count channels say what was seen', async () => {
    const vals = tf.tensor3d([NaN, 1, NaN, NaN, 4, NaN], [1, 6, 1]);
    const ts = [0, 1, 2, 3, 4, 5];
    await expectNoLeaks(() => {
      const X = linearInterpolation(vals, ts, { timeChannel: true, cumulativeCount: true });
      expect(X.channels).toBe(3);
      const want = [
        [0, 1, 0],
        [1, 1, 1],
        [2, 2, 1],
        [3, 3, 1],
        [4, 4, 2],
        [5, 4, 2],
      ];
      ts.forEach((t, i) => {
        const x = X.evaluate(t);
        read(x).forEach((v, k) => expect(v).toBeCloseTo(want[i]![k]!, 5));
        x.dispose();
      });
      X.dispose();
    });
    vals.dispose();
  });

  it('rectilinear: time moves first, then the features; never looks ahead', async () => {
    const vals = tf.tensor3d([0, 10, 20], [1, 3, 1]);
    await expectNoLeaks(() => {
      const X = rectilinearInterpolation(vals, [0, 1, 3]);
      expect([X.t0, X.t1, X.channels]).toEqual([0, 4, 2]);
      const at = (s: number): number[] => {
        const x = X.evaluate(s);
        const r = read(x);
        x.dispose();
        return r;
      };
      expect(at(0.5)).toEqual([0.5, 0]); // time half way to t1, feature still x0
      expect(at(1.5)).toEqual([1, 5]); // at t1, feature half way to x1
      expect(at(3)).toEqual([3, 10]);
      expect(X.jumpTs).toEqual([1, 2, 3]);
      X.dispose();
    });
    vals.dispose();
  });

  it('bad input is a named error', () => {
    const v = tf.ones([1, 3, 1]);
    expect(() => linearInterpolation(v, [0, 1])).toThrow(ShapeError);
    expect(() => linearInterpolation(v, [0, 2, 1])).toThrow(/strictly increasing/);
    expect(() => linearInterpolation(tf.ones([3, 1]) as never, [0, 1, 2])).toThrow(/\[batch, T, channels\]/);
    const X = linearInterpolation(v, [0, 1, 2]);
    expect(() => X.evaluate(3)).toThrow(InvalidArgumentError);
    X.dispose();
    v.dispose();
  });
});
