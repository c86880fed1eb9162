/**
 * SDE solvers beyond convergence: method resolution by term kind, typed errors for bad input,
 * leaks, dense output, adaptive stepping (converging as rtol shrinks), reversible Heun's exact
 * backward reconstruction, the Itô↔Stratonovich conversion, sdeint/sdeintAsync, and the same seed
 * giving the same result on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { InvalidArgumentError, ShapeError, UnsupportedError, tidyTree, useBackend } from '@nde/core';
import {
  ExplicitRK,
  EulerMaruyama,
  ODETerm,
  PIDController,
  ReversibleHeun,
  SDETerm,
  StochasticHeun,
  knownMethods,
  resolveSolver,
  reversibleHeunBackward,
  sdeint,
  sdeintAsync,
  solve,
  type SdeType,
} from '@nde/solvers';
import { makeBrownian } from './helpers/brownian.js';

const gbm = (bm: SDETerm['bm'], sdeType: SdeType = 'ito', mu = 0.5, sigma = 0.6): SDETerm =>
  new SDETerm({ drift: (_t, y) => tf.mul(y, mu), diffusion: (_t, y) => tf.mul(y, sigma), bm, noise: 'diagonal', sdeType });

describe('SDE method names', () => {
  it('shared names resolve by term kind; ODE behaviour unchanged', () => {
    expect(resolveSolver('euler')).toBeInstanceOf(ExplicitRK);
    expect(resolveSolver('heun')).toBeInstanceOf(ExplicitRK);
    expect(resolveSolver('euler', 'sde')).toBeInstanceOf(EulerMaruyama);
    expect(resolveSolver('heun', 'sde')).toBeInstanceOf(StochasticHeun);
    expect(resolveSolver('reversible_heun')).toBeInstanceOf(ReversibleHeun); // SDE-only names need no kind
    expect(knownMethods('sde')).toEqual(
      expect.arrayContaining(['euler', 'milstein', 'milstein_grad_free', 'heun', 'midpoint', 'reversible_heun', 'sra1', 'srk']),
    );
    expect(() => resolveSolver('dopri5', 'sde')).toThrow(/unknown method 'dopri5'/);
  });
});

describeBackends('SDE solvers', () => {
  it('bad input is a typed error naming the argument', () => {
    const bm = makeBrownian({ t0: 0, t1: 1, shape: [4, 2], seed: 1 });
    const y0 = tf.ones([4, 2]);
    const run = (terms: unknown, solver: string, extra: object = {}): unknown =>
      solve({ terms, solver, t0: 0, t1: 1, y0, dt0: 0.1, ...extra });
    const expectErr = (fn: () => unknown, cls: new (...a: never[]) => Error, argument: string): void => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(cls);
        expect((e as { argument: string }).argument).toBe(argument);
        return;
      }
      throw new Error(`expected ${cls.name} naming ${argument}`);
    };
    // Missing Brownian motion.
    expectErr(() => new SDETerm({ drift: (_t, y) => y, diffusion: (_t, y) => y, bm: undefined as never }), InvalidArgumentError, 'bm');
    // Diffusion of the wrong shape for diagonal noise.
    const badG = new SDETerm({ drift: (_t, y) => y, diffusion: () => tf.ones([4, 2, 1]), bm, noise: 'diagonal' });
    expectErr(() => run(badG, 'euler'), ShapeError, 'diffusion');
    // General noise: g must be [4, 2, m] with m the Brownian's last axis (2).
    const badGeneral = new SDETerm({ drift: (_t, y) => y, diffusion: () => tf.ones([4, 2, 3]), bm, noise: 'general' });
    expectErr(() => run(badGeneral, 'euler'), ShapeError, 'diffusion');
    // Brownian shape not matching the state for diagonal noise.
    const bmWrong = makeBrownian({ t0: 0, t1: 1, shape: [4, 3], seed: 1 });
    expectErr(() => run(gbm(bmWrong), 'euler'), ShapeError, 'bm');
    // Scalar noise needs a [..., 1] Brownian motion.
    const scalar = new SDETerm({ drift: (_t, y) => y, diffusion: (_t, y) => tf.expandDims(y, -1), bm, noise: 'scalar' });
    expectErr(() => run(scalar, 'euler'), ShapeError, 'bm');
    // dt <= 0.
    expectErr(() => run(gbm(bm), 'euler', { dt0: 0 }), InvalidArgumentError, 'dt0');
    expectErr(() => sdeint({ f: (_t, y) => y, g: (_t, y) => y }, y0, [0, 1], { dt: -0.1, bm }), InvalidArgumentError, 'dt');
    // sdeint without bm makes its own (issue #17), as torchsde does; SDETerm (above) still requires one.
    const own = sdeint({ f: (_t, y) => y, g: (_t, y) => y }, y0, [0, 1], { dt: 0.1 });
    expect(own.shape).toEqual([2, ...y0.shape]);
    own.dispose();
    // Itô SDE to a Stratonovich-only solver, and the reverse.
    for (const m of ['heun', 'midpoint', 'reversible_heun']) expectErr(() => run(gbm(bm, 'ito'), m), UnsupportedError, 'terms.sdeType');
    expectErr(() => run(gbm(bm, 'stratonovich'), 'euler'), UnsupportedError, 'terms.sdeType');
    // Lévy area required.
    expectErr(() => run(gbm(bm), 'srk'), UnsupportedError, 'terms.bm'); // bm made with levyArea 'none'
    // Unsupported noise type.
    expectErr(() => run(badGeneral, 'milstein'), UnsupportedError, 'terms.noise');
    // Adaptive controller with a fixed-step method.
    expectErr(() => run(gbm(bm), 'euler', { stepSizeController: new PIDController() }), UnsupportedError, 'stepSizeController');
    // An ODE term given to an SDE-only method.
    expectErr(() => run(new ODETerm((_t, y) => y), 'sra1'), InvalidArgumentError, 'terms');
    y0.dispose();
  });

  it('every noise type runs without leaks; dense output is linear within a step', async () => {
    await expectNoLeaks(() => {
      const B = 8;
      const bmD = makeBrownian({ t0: 0, t1: 1, shape: [B, 2], seed: 3, levy: true });
      const bmS = makeBrownian({ t0: 0, t1: 1, shape: [B, 1], seed: 3, levy: true });
      const bmG = makeBrownian({ t0: 0, t1: 1, shape: [B, 3], seed: 3, levy: true });
      const y0 = tf.ones([B, 2]);
      const drift = (_t: number, y: tf.Tensor): tf.Tensor => tf.mul(y, -0.5);
      const cases: [SDETerm, string[]][] = [
        [
          new SDETerm({ drift, diffusion: (_t, y) => tf.sin(y), bm: bmD, noise: 'diagonal', sdeType: 'ito' }),
          ['euler', 'milstein', 'milstein_grad_free', 'srk'],
        ],
        [
          new SDETerm({ drift, diffusion: (_t, y) => tf.sin(y), bm: bmD, noise: 'diagonal', sdeType: 'stratonovich' }),
          ['milstein', 'heun', 'midpoint', 'reversible_heun'],
        ],
        [
          new SDETerm({ drift, diffusion: (_t, y) => tf.expandDims(tf.cos(y), -1), bm: bmS, noise: 'scalar', sdeType: 'ito' }),
          ['euler', 'milstein_grad_free', 'srk'],
        ],
        [
          new SDETerm({ drift, diffusion: (t) => tf.fill([B, 2, 3], 0.3 + t), bm: bmG, noise: 'additive' }),
          ['euler', 'milstein', 'heun', 'midpoint', 'reversible_heun', 'sra1', 'srk'],
        ],
        [
          new SDETerm({
            drift,
            diffusion: (_t, y) => tf.tile(tf.expandDims(tf.mul(y, 0.2), -1), [1, 1, 3]),
            bm: bmG,
            noise: 'general',
            sdeType: 'stratonovich',
          }),
          ['heun', 'midpoint', 'reversible_heun'],
        ],
      ];
      for (const [term, methods] of cases) {
        for (const m of methods) {
          const sol = solve({ terms: term, solver: m, t0: 0, t1: 1, y0, dt0: 0.1, saveAt: { ts: [0, 0.25, 1], dense: true } });
          expect(sol.stats.accepted, m).toBe(10);
          const ys = (sol.ys as tf.Tensor).arraySync() as number[][][];
          expect(ys.flat(2).every(Number.isFinite), m).toBe(true);
          // 0.25 lies inside [0.2, 0.3]: the saved value is the midpoint of the two step ends.
          const a = sol.dense!.evaluate(0.2);
          const b = sol.dense!.evaluate(0.3);
          const mid = sol.dense!.evaluate(0.25);
          const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(mid, tf.mul(tf.add(a, b), 0.5)))).dataSync()[0] as number);
          expect(gap, m).toBeLessThan(1e-5);
          tf.dispose([a, b, mid]);
          sol.dispose();
        }
      }
      y0.dispose();
    });
  });

  it('constant steps: exactly ceil((t1 - t0) / dt) steps on t_i = t0 + i·dt', () => {
    const bm = makeBrownian({ t0: 0, t1: 1, shape: [2, 1], seed: 5 });
    const y0 = tf.ones([2, 1]);
    const sol = solve({ terms: gbm(bm), solver: 'euler', t0: 0, t1: 1, y0, dt0: 0.3, saveAt: { steps: true } });
    expect(sol.stats.accepted).toBe(4);
    expect(sol.ts).toEqual([0.3, 0.6, 0 + 3 * 0.3, 1]);
    sol.dispose();
    y0.dispose();
  });

  it('adaptive SDE solves (PIDController) converge as rtol shrinks', async () => {
    await expectNoLeaks(() => {
      const B = 200;
      const bm = makeBrownian({ t0: 0, t1: 1, shape: [B, 1], seed: 11, grid: 4096 });
      const y0 = tf.ones([B, 1]);
      const w = bm.evaluateArray(0, 1);
      const exact = Array.from(w, (wi) => Math.exp(0.5 + 0.6 * wi));
      for (const method of ['heun', 'reversible_heun', 'midpoint']) {
        const errs: number[] = [];
        const steps: number[] = [];
        for (const tol of [1e-1, 1e-2, 1e-3]) {
          const sol = solve({
            terms: gbm(bm, 'stratonovich'),
            solver: method,
            t0: 0,
            t1: 1,
            y0,
            dt0: 0.05,
            stepSizeController: new PIDController({ rtol: tol, atol: tol, norm: 'rms-per-sample' }),
            checkFinite: false,
          });
          const y = (sol.ys as tf.Tensor).dataSync();
          errs.push(exact.reduce((s, e, i) => s + Math.abs(e - (y[i] as number)), 0) / B);
          steps.push(sol.stats.accepted);
          expect(sol.stats.rejected + sol.stats.accepted).toBe(sol.stats.steps);
          sol.dispose();
        }
        console.log(`adaptive ${method}: errors ${errs.map((e) => e.toExponential(2)).join(', ')}; accepted steps ${steps.join(', ')}`);
        expect(errs[1]).toBeLessThan(errs[0] as number);
        expect(errs[2]).toBeLessThan((errs[1] as number) / 2);
        expect(steps[2]).toBeGreaterThan(steps[0] as number);
      }
      y0.dispose();
    });
  });

  it('reversible Heun steps are reconstructed backwards (Kidger et al. 2021)', async () => {
    await expectNoLeaks(() => {
      const bm = makeBrownian({ t0: 0, t1: 1, shape: [16, 2], seed: 21 });
      const term = new SDETerm({
        drift: (t, y) => tf.sub(tf.sin(y), t),
        diffusion: (_t, y) => tf.mul(tf.cos(y), 0.5),
        bm,
        noise: 'diagonal',
        sdeType: 'stratonovich',
      });
      const solver = new ReversibleHeun();
      const y0 = tf.randomNormal([16, 2], 0, 1, 'float32', 3);
      const ts = Array.from({ length: 11 }, (_, i) => i / 10);
      let y = y0.clone();
      let state = solver.init(term, 0, y, undefined);
      const init = { y: y.clone(), yHat: state.yHat.clone() };
      for (let i = 0; i < 10; i++) {
        const res = tidyTree(() =>
          solver.step(term, ts[i] as number, ts[i + 1] as number, y, undefined, state, { madeJump: false, needsDense: false }),
        );
        y.dispose();
        tf.dispose(res.yError as tf.Tensor);
        solver.disposeState(state);
        y = res.y1 as tf.Tensor;
        state = res.state;
      }
      for (let i = 9; i >= 0; i--) {
        const back = reversibleHeunBackward(term, ts[i] as number, ts[i + 1] as number, y, state);
        y.dispose();
        solver.disposeState(state);
        y = back.y0;
        state = back.state;
      }
      const err = tf.tidy(() =>
        Math.max(
          tf.max(tf.abs(tf.sub(y, init.y))).dataSync()[0] as number,
          tf.max(tf.abs(tf.sub(state.yHat, init.yHat))).dataSync()[0] as number,
        ),
      );
      console.log(`reversible Heun: max |reconstructed − forward| over 10 steps = ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-5); // float32 rounding only
      tf.dispose([y, y0, init.y, init.yHat]);
      solver.disposeState(state);
    });
  });

  it('Itô↔Stratonovich conversion: Itô GBM solved as its Stratonovich form', () => {
    const B = 500;
    const bm = makeBrownian({ t0: 0, t1: 1, shape: [B, 1], seed: 8 });
    const y0 = tf.ones([B, 1]);
    const ito = gbm(bm, 'ito');
    const strat = ito.toStratonovich();
    expect(strat.sdeType).toBe('stratonovich');
    expect(strat.toIto().sdeType).toBe('ito');
    const sol = solve({ terms: strat, solver: 'heun', t0: 0, t1: 1, y0, dt0: 1 / 64 });
    const y = (sol.ys as tf.Tensor).dataSync();
    const w = bm.evaluateArray(0, 1);
    const err = Array.from(w).reduce((s, wi, i) => s + Math.abs(Math.exp(0.5 - 0.18 + 0.6 * wi) - (y[i] as number)), 0) / B;
    expect(err).toBeLessThan(0.01);
    sol.dispose();
    y0.dispose();
    expect(() =>
      new SDETerm({ drift: (_t, x) => x, diffusion: (_t, x) => tf.expandDims(x, -1), bm, noise: 'scalar' }).toStratonovich(),
    ).toThrow(UnsupportedError);
  });

  it('sdeint returns ys stacked over ts; sdeintAsync agrees', async () => {
    await expectNoLeaks(async () => {
      const bm = makeBrownian({ t0: 0, t1: 1, shape: [3, 1], seed: 2 });
      const y0 = tf.ones([3, 1]);
      const sde = {
        f: (_t: number, y: tf.Tensor) => tf.mul(y, 0.5),
        g: (_t: number, y: tf.Tensor) => tf.mul(y, 0.3),
        noiseType: 'diagonal' as const,
        sdeType: 'ito' as const,
      };
      const ys = sdeint(sde, y0, [0, 0.5, 1], { method: 'milstein', dt: 0.01, bm });
      expect(ys.shape).toEqual([3, 3, 1]);
      const ya = await sdeintAsync(sde, y0, [0, 0.5, 1], { method: 'milstein', dt: 0.01, bm });
      expect(Array.from(await ya.data())).toEqual(Array.from(await ys.data()));
      const yad = sdeint({ ...sde, sdeType: 'stratonovich' }, y0, [0, 0.5, 1], {
        method: 'reversible_heun',
        dt: 0.05,
        bm,
        adaptive: true,
        rtol: 1e-3,
        atol: 1e-3,
      });
      expect(yad.shape).toEqual([3, 3, 1]);
      tf.dispose([ys, ya, yad, y0]);
    });
  });
});

describe('SDE solves across backends', () => {
  it('same seed gives the same result on cpu and wasm (float32 rounding)', async () => {
    const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await useBackend(backend);
      const bm = makeBrownian({ t0: 0, t1: 1, shape: [64, 2], seed: 99, levy: true });
      const y0 = tf.ones([64, 2]);
      const out: number[] = [];
      for (const method of ['euler', 'milstein', 'srk']) {
        const ys = sdeint({ f: (_t, y) => tf.mul(y, 0.5), g: (_t, y) => tf.mul(tf.sin(y), 0.4) }, y0, [0, 1], { method, dt: 0.02, bm });
        out.push(...(await ys.data()));
        ys.dispose();
      }
      y0.dispose();
      return Float32Array.from(out);
    };
    const a = await run('cpu');
    const b = await run('wasm');
    const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
    expect(maxDiff).toBeLessThan(1e-4);
  });
});
