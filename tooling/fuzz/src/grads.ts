/**
 * Gradient properties: every adjoint on linear ODEs with explicit and implicit methods (against the
 * closed-form gradient, and against the direct gradient) and on Stratonovich geometric Brownian motion (against the direct gradient on the same
 * Brownian path), with nothing leaked.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { num } from './trees.js';
import { VirtualBrownianTree, key } from '@nde/brownian';
import { ODETerm, PIDController, SDETerm, type SolveOptions } from '@nde/solvers';
import {
  BacksolveAdjoint,
  DirectAdjoint,
  RecursiveCheckpointAdjoint,
  ReversibleAdjoint,
  StochasticAdjoint,
  valueAndGrads,
  type AdjointMethod,
} from '@nde/adjoint';

type AdjointName = 'direct' | 'checkpoint' | 'backsolve' | 'reversible' | 'stochastic';

function makeAdjoint(name: AdjointName): AdjointMethod {
  if (name === 'checkpoint') return new RecursiveCheckpointAdjoint({ checkpoints: 3 });
  if (name === 'backsolve') return new BacksolveAdjoint();
  if (name === 'reversible') return new ReversibleAdjoint();
  if (name === 'stochastic') return new StochasticAdjoint();
  return new DirectAdjoint();
}

/** A linear ODE y' = λ y with its loss Σ w ⊙ y(t1). */
export interface OdeGradCase {
  readonly adjoint: Exclude<AdjointName, 'stochastic'>;
  readonly method: string;
  readonly lambda: number;
  readonly y0: readonly number[];
  readonly w: readonly number[];
  readonly t0: number;
  readonly span: number;
}

export const odeGradCaseArb: fc.Arbitrary<OdeGradCase> = fc
  .record({
    adjoint: fc.constantFrom('direct', 'checkpoint', 'backsolve', 'reversible') as fc.Arbitrary<OdeGradCase['adjoint']>,
    method: fc.constantFrom('dopri5', 'tsit5', 'bosh3', 'dopri8', 'rk4', 'kvaerno5', 'bdf', 'ros34pw2'),
    lambda: num(-1.5, 1),
    y0: fc.array(num(-2, 2), { minLength: 1, maxLength: 4 }),
    wSeed: fc.array(num(-1, 1), { minLength: 4, maxLength: 4 }),
    t0: num(-1, 1),
    span: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: num(-1.2, 1.2), weight: 9 }),
  })
  .map((r) => ({
    adjoint: r.adjoint,
    // Checkpointing replays from stored states, which a multistep method refuses (tested as a named error).
    method: r.adjoint === 'reversible' ? 'reversible_heun' : r.adjoint === 'checkpoint' && r.method === 'bdf' ? 'kvaerno5' : r.method,
    lambda: r.lambda,
    y0: r.y0,
    w: r.y0.map((_, i) => r.wSeed[i % 4] as number),
    t0: r.t0,
    span: r.span,
  }));

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

function close(a: number, b: number, rel: number, abs: number): boolean {
  return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
}

function odeGrads(c: OdeGradCase, adjoint: AdjointName): { value: number; dLam: number; dy0: number[] } {
  const lam = tf.tidy(() => tf.variable(tf.scalar(c.lambda)));
  const y0 = tf.tensor1d([...c.y0]);
  const w = tf.tensor1d([...c.w]);
  try {
    const fixed = c.method === 'rk4' || c.method === 'reversible_heun';
    const dir = c.span >= 0 ? 1 : -1;
    const solveOptions: SolveOptions<tf.Tensor> = {
      terms: new ODETerm((_t: number, y: tf.Tensor) => tf.mul(lam, y)),
      solver: c.method,
      t0: c.t0,
      t1: c.t0 + c.span,
      y0,
      ...(fixed ? { dt0: dir * 0.01 } : { stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-8 }) }),
    };
    const r = valueAndGrads({
      loss: (ys) => tf.sum(tf.mul(ys as tf.Tensor, w)),
      solveOptions,
      adjoint: makeAdjoint(adjoint),
      params: [lam],
      timeGrads: false,
    });
    const out = {
      value: r.value.dataSync()[0] as number,
      dLam: (r.grads.variables[0]?.tensor.dataSync()[0] ?? 0) as number,
      dy0: Array.from((r.grads.y0 as tf.Tensor).dataSync()),
    };
    r.dispose();
    return out;
  } finally {
    tf.dispose([lam, y0, w]);
  }
}

/** Run one ODE gradient case: the adjoint equals the closed form and the direct gradient. */
export function runOdeGradCase(c: OdeGradCase): void {
  const before = tf.memory().numTensors;
  const got = odeGrads(c, c.adjoint);
  const e = Math.exp(c.lambda * c.span);
  const exactValue = c.y0.reduce((s, v, i) => s + v * (c.w[i] as number) * e, 0);
  const exactDLam = c.span * exactValue;
  const exactDy0 = c.w.map((v) => v * e);
  // rk4 at dt = 0.01 and reversible Heun (order 2) at 0.01 are accurate to ~1e-5; adaptive solves at rtol 1e-6.
  const rel = c.method === 'reversible_heun' ? 2e-3 : 1e-3;
  const abs = 1e-4 * (1 + Math.abs(c.span)) * Math.max(1, e);
  check(close(got.value, exactValue, rel, abs), `${c.adjoint}/${c.method}: loss ${got.value}, exact ${exactValue}`);
  check(close(got.dLam, exactDLam, rel, abs), `${c.adjoint}/${c.method}: dL/dλ ${got.dLam}, exact ${exactDLam}`);
  got.dy0.forEach((g, i) =>
    check(close(g, exactDy0[i] as number, rel, abs), `${c.adjoint}/${c.method}: dL/dy0[${i}] ${g}, exact ${exactDy0[i]}`),
  );
  // (Plain solves take reversible Heun for SDEs only; ReversibleAdjoint wraps an ODE itself.)
  if (c.adjoint !== 'direct' && c.method !== 'reversible_heun') {
    const direct = odeGrads(c, 'direct');
    check(close(got.dLam, direct.dLam, rel, abs), `${c.adjoint}/${c.method}: dL/dλ ${got.dLam}, direct ${direct.dLam}`);
  }
  check(tf.memory().numTensors === before, `leaked ${tf.memory().numTensors - before} tensors`);
}

/** Stratonovich GBM dy = μ y dt + σ y ∘ dW with loss Σ y(t1). */
export interface SdeGradCase {
  readonly adjoint: 'reversible' | 'stochastic';
  readonly mu: number;
  readonly sigma: number;
  readonly batch: number;
  readonly span: number;
  readonly seed: number;
}

export const sdeGradCaseArb: fc.Arbitrary<SdeGradCase> = fc.record({
  adjoint: fc.constantFrom('reversible', 'stochastic') as fc.Arbitrary<SdeGradCase['adjoint']>,
  mu: num(-1, 0.5),
  sigma: num(0.05, 0.5),
  batch: fc.integer({ min: 1, max: 4 }),
  span: num(0.1, 1),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

function sdeGrads(c: SdeGradCase, adjoint: AdjointName): number[] {
  const mu = tf.tidy(() => tf.variable(tf.scalar(c.mu)));
  const sigma = tf.tidy(() => tf.variable(tf.scalar(c.sigma)));
  const y0 = tf.ones([c.batch, 1]);
  const bm = new VirtualBrownianTree({ t0: 0, t1: c.span, shape: [c.batch, 1], key: key(c.seed), tol: 1e-4 });
  try {
    const r = valueAndGrads({
      loss: (ys) => tf.sum(ys as tf.Tensor),
      solveOptions: {
        terms: new SDETerm({ drift: (_t, y) => tf.mul(y, mu), diffusion: (_t, y) => tf.mul(y, sigma), bm, sdeType: 'stratonovich' }),
        solver: c.adjoint === 'reversible' ? 'reversible_heun' : 'midpoint',
        t0: 0,
        t1: c.span,
        y0,
        dt0: 0.01,
      },
      adjoint: makeAdjoint(adjoint),
      params: [mu, sigma],
    });
    const out = [r.value.dataSync()[0] as number, ...r.grads.variables.map((v) => v.tensor.dataSync()[0] as number)];
    r.dispose();
    return out;
  } finally {
    tf.dispose([mu, sigma, y0]);
  }
}

/** Run one SDE gradient case: the adjoint's gradients equal the direct ones on the same path. */
export function runSdeGradCase(c: SdeGradCase): void {
  const before = tf.memory().numTensors;
  const got = sdeGrads(c, c.adjoint);
  const direct = sdeGrads(c, 'direct');
  // Reversible Heun's adjoint is exact for its discretisation; the stochastic adjoint converges with dt.
  // (Absolute slack per sample: dσ sums terms of order one that may cancel to near zero.)
  const rel = c.adjoint === 'reversible' ? 2e-3 : 3e-2;
  const abs = (c.adjoint === 'reversible' ? 1e-3 : 1e-2) * c.batch;
  got.forEach((g, i) => check(close(g, direct[i] as number, rel, abs), `${c.adjoint}: [${i}] ${g}, direct ${direct[i]}`));
  check(tf.memory().numTensors === before, `leaked ${tf.memory().numTensors - before} tensors`);
}
