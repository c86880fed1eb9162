import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { UnsupportedError, InvalidArgumentError } from '@nde/core';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import {
  Conv1dTemporalGenerator,
  OdeTemporalGenerator,
  SdeTemporalGenerator,
  conv1dTemporalParameterCount,
  odeTemporalParameterCount,
  sdeTemporalParameterCount,
  parameterCount,
  linspace,
  type TemporalGenerator,
} from '../src/index.js';

const tiny = (): TemporalGenerator[] => [
  new Conv1dTemporalGenerator({ latentDim: 6, frameLatentDim: 5, numFrames: 8, channels: [16, 8, 8], seed: 1 }),
  new OdeTemporalGenerator({ dim: 6, numFrames: 8, seed: 1 }),
  new OdeTemporalGenerator({ dim: 6, numFrames: 8, hidden: 10, method: 'dopri5', rtol: 1e-3, atol: 1e-4, seed: 1 }),
  new SdeTemporalGenerator({ dim: 6, numFrames: 8, method: 'euler', dt: 0.05, seed: 1 }),
  new SdeTemporalGenerator({ dim: 6, numFrames: 8, method: 'reversible_heun', dt: 0.05, seed: 1 }),
];

describeBackends('temporal generators', () => {
  it('emit [batch, T, frameLatentDim] for every variant, without leaks', async () => {
    for (const tg of tiny()) {
      const z0 = tf.randomNormal([3, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
      await expectNoLeaks(async () => {
        const zs = tg.generate(z0);
        expect(zs.shape).toEqual([3, 8, tg.frameLatentDim]);
        expect((await values(zs)).every(Number.isFinite)).toBe(true);
        zs.dispose();
      });
      z0.dispose();
      tg.dispose();
    }
  });

  it('parameter counts are exact, match the formulas, and the paper’s sizes give ~10k vs ~826k', () => {
    const conv = new Conv1dTemporalGenerator({ latentDim: 100, frameLatentDim: 100, numFrames: 16, seed: 0 });
    const ode = new OdeTemporalGenerator({ dim: 100, seed: 0 });
    const sde = new SdeTemporalGenerator({ dim: 100, seed: 0 });
    expect(parameterCount(conv)).toBe(826_468);
    expect(conv.parameterCountFormula()).toBe(826_468);
    expect(conv1dTemporalParameterCount(100, 100, [512, 256, 128, 128])).toBe(
      100 * 512 + 512 + 512 * 256 * 4 + 256 + 256 * 128 * 4 + 128 + 128 * 128 * 4 + 128 + 128 * 100 * 4 + 100 + 2 * (512 + 256 + 128 + 128),
    );
    expect(parameterCount(ode)).toBe(10_100);
    expect(ode.parameterCountFormula()).toBe(odeTemporalParameterCount(100));
    expect(parameterCount(sde)).toBe(20_200);
    expect(sde.parameterCountFormula()).toBe(sdeTemporalParameterCount(100));
    expect(parameterCount(conv) / parameterCount(ode)).toBeGreaterThan(80);
    for (const tg of tiny()) {
      expect(parameterCount(tg)).toBe(tg.parameterCountFormula());
      tg.dispose();
    }
    [conv, ode, sde].forEach((m) => m.dispose());
  });

  it('ODE and SDE gradients reach every variable', () => {
    for (const tg of tiny().slice(1)) {
      const z0 = tf.randomNormal([4, 6], 0, 1, 'float32', 3) as tf.Tensor2D;
      const target = tf.randomNormal([4, 8, 6], 0, 1, 'float32', 4);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(tg.generate(z0, { key: 5 }), target))) as tf.Scalar,
        tg.parameters(),
      );
      const names = tg.parameters().map((v) => v.name);
      expect(Object.keys(grads).sort()).toEqual([...names].sort());
      for (const name of names) {
        const g = (grads[name] as tf.Tensor).dataSync();
        expect(g.every(Number.isFinite)).toBe(true);
        expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(0);
      }
      tf.dispose([value, grads, z0, target]);
      tg.dispose();
    }
  });

  it('ODE/SDE generate at unseen, non-uniform and more times; conv1d refuses', async () => {
    const ode = new OdeTemporalGenerator({ dim: 6, numFrames: 8, seed: 2 });
    const sde = new SdeTemporalGenerator({ dim: 6, numFrames: 8, dt: 0.05, seed: 2 });
    const z0 = tf.randomNormal([2, 6], 0, 1, 'float32', 6) as tf.Tensor2D;
    await expectNoLeaks(async () => {
      const grid = ode.generate(z0);
      const dense = ode.generate(z0, { ts: linspace(0, 1, 15) }); // every other frame is new
      const longer = ode.generate(z0, { ts: linspace(0, 2, 32) });
      const odd = ode.generate(z0, { ts: [0.05, 0.1, 0.7, 1.3] });
      expect(dense.shape).toEqual([2, 15, 6]);
      expect(longer.shape).toEqual([2, 32, 6]);
      expect(odd.shape).toEqual([2, 4, 6]);
      // the trained grid's frames reappear (to RK4 discretisation) in the denser solve: same ODE
      const [sa, sb] = [grid.slice([0, 7, 0], [2, 1, 6]), dense.slice([0, 14, 0], [2, 1, 6])];
      const a = await values(sa);
      const b = await values(sb);
      tf.dispose([sa, sb]);
      a.forEach((x, i) => expect(Math.abs(x - (b[i] as number))).toBeLessThan(1e-3));
      const s = sde.generate(z0, { ts: [0, 0.33, 0.5, 1.7, 2.5] });
      expect(s.shape).toEqual([2, 5, 6]);
      expect((await values(longer)).every(Number.isFinite)).toBe(true);
      tf.dispose([grid, dense, longer, odd, s]);
    });
    const conv = new Conv1dTemporalGenerator({ latentDim: 6, frameLatentDim: 6, numFrames: 8, channels: [8, 8, 8] });
    expect(() => conv.generate(z0, { ts: linspace(0, 2, 16) })).toThrow(UnsupportedError);
    expect(() => ode.generate(z0, { ts: [0, 0.5, 0.4] })).toThrow(InvalidArgumentError);
    expect(() => new Conv1dTemporalGenerator({ numFrames: 12 })).toThrow(InvalidArgumentError);
    [ode, sde, conv, z0].forEach((m) => m.dispose());
  });

  it('the SDE is reproducible for a key and varies across keys', async () => {
    const sde = new SdeTemporalGenerator({ dim: 4, numFrames: 4, dt: 0.1, seed: 0 });
    const z0 = tf.ones([2, 4]) as tf.Tensor2D;
    const a = sde.generate(z0, { key: 1 });
    const b = sde.generate(z0, { key: 1 });
    const c = sde.generate(z0, { key: 2 });
    expect(await values(a)).toEqual(await values(b));
    expect(await values(a)).not.toEqual(await values(c));
    tf.dispose([a, b, c, z0]);
    sde.dispose();
  });
});
