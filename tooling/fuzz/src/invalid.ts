/**
 * Bad input, as users write it: each mutation of a valid ODE or SDE solve must end in an `NdeError`
 * (or, for failures the options allow, a status) and leave no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { NdeError, treeDispose, treeLeaves, type Tree } from '@nde/core';
import { VirtualBrownianTree, key } from '@nde/brownian';
import { ODETerm, PIDController, SDETerm, odeint, sdeint, solve, type SolveOptions } from '@nde/solvers';
import { odeCaseArb, odeOptions, type OdeCase } from './ode.js';
import { buildTree, vectorFieldOf } from './trees.js';

/** The ways a solve's input is broken. */
export const MUTATIONS = [
  'y0-nan',
  'y0-int',
  'y0-null',
  'y0-empty',
  'y0-number',
  'vf-shape',
  'vf-number',
  'vf-undefined',
  'vf-structure',
  'vf-nan',
  'vf-throws',
  'dt0-zero',
  'dt0-nan',
  'dt0-sign',
  'max-steps',
  'max-steps-tiny',
  'save-outside',
  'save-order',
  'save-nan',
  't0-nan',
  'method-unknown',
  'method-object',
  'adaptive-fixed',
  'event-vector',
  'event-undefined',
  'terms-missing',
  'odeint-ts-tensor2d',
  'odeint-ts-order',
  'sde-shape',
  'sde-past-bm',
  'sde-torchsde-names',
  'sde-tree',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface InvalidCase {
  readonly base: OdeCase;
  readonly mutation: Mutation;
}

export const invalidCaseArb: fc.Arbitrary<InvalidCase> = fc.record({
  base: odeCaseArb.filter((c) => c.t0 !== c.t1),
  mutation: fc.constantFrom(...MUTATIONS),
});

class UserBug extends Error {}

function mutate(c: InvalidCase, y0: Tree, vf: (t: number, y: Tree) => Tree, scratch: tf.Tensor[]): () => unknown {
  const o = odeOptions(c.base, y0, vf);
  const fresh = (x: tf.Tensor): tf.Tensor => {
    scratch.push(x);
    return x;
  };
  const first = (y: Tree): tf.Tensor => treeLeaves(y)[0] as tf.Tensor;
  const run = (over: Partial<SolveOptions<Tree>>) => () => solve({ ...o, ...over } as SolveOptions<Tree>);
  const mid = (c.base.t0 + c.base.t1) / 2;
  switch (c.mutation) {
    case 'y0-nan':
      return run({ y0: fresh(tf.tensor1d([1, NaN])) });
    case 'y0-int':
      return run({ y0: fresh(tf.tensor1d([1, 2], 'int32')) });
    case 'y0-null':
      return run({ y0: null as never });
    case 'y0-empty':
      return run({ y0: fresh(tf.zeros([0, 3])) });
    case 'y0-number':
      return run({ y0: 3 as never });
    case 'vf-shape':
      return run({ terms: new ODETerm((_t, y: Tree) => tf.concat([first(y), first(y)]) as never) });
    case 'vf-number':
      return run({ terms: new ODETerm((() => 1) as never) });
    case 'vf-undefined':
      return run({ terms: new ODETerm((() => undefined) as never) });
    case 'vf-structure':
      return run({ terms: new ODETerm((_t, y: Tree) => ({ other: first(y) }) as never) });
    case 'vf-nan':
      return run({ terms: new ODETerm((t, y: Tree) => (t === c.base.t0 ? vf(t, y) : (tf.mul(first(y), NaN) as never))) });
    case 'vf-throws': {
      let calls = 0;
      return run({
        terms: new ODETerm((t, y: Tree) => {
          if (++calls > 3) throw new UserBug('a bug in the user code');
          return vf(t, y);
        }),
      });
    }
    case 'dt0-zero':
      return run({ dt0: 0, stepSizeController: undefined as never });
    case 'dt0-nan':
      return run({ dt0: NaN });
    case 'dt0-sign':
      return run({ dt0: -Math.sign(c.base.t1 - c.base.t0) * 0.1 });
    case 'max-steps':
      return run({ maxSteps: -1 });
    case 'max-steps-tiny':
      return run({ maxSteps: 1, saveAt: { ts: [mid], t1: true } });
    case 'save-outside':
      return run({ saveAt: { ts: [c.base.t1 + (c.base.t1 - c.base.t0)] } });
    case 'save-order':
      return run({ saveAt: { ts: [c.base.t1, c.base.t0] } });
    case 'save-nan':
      return run({ saveAt: { ts: [NaN] } });
    case 't0-nan':
      return run({ t0: NaN });
    case 'method-unknown':
      return run({ solver: 'dopri7' });
    case 'method-object':
      return run({ solver: { name: 'x' } as never });
    case 'adaptive-fixed':
      return run({ solver: 'rk4', stepSizeController: new PIDController() });
    case 'event-vector':
      return run({ event: { fn: (_t, y: Tree) => first(y) } });
    case 'event-undefined':
      return run({ event: { fn: (() => undefined) as never } });
    case 'terms-missing':
      return run({ terms: undefined as never });
    case 'odeint-ts-tensor2d':
      return () => odeint(vf, y0, fresh(tf.ones([2, 2])) as never);
    case 'odeint-ts-order':
      return () => odeint(vf, y0, [c.base.t0, c.base.t1, c.base.t0]);
    case 'sde-shape':
    case 'sde-past-bm':
    case 'sde-torchsde-names':
    case 'sde-tree': {
      const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [2], key: key(1) });
      const sde = { f: (_t: number, y: tf.Tensor) => tf.neg(y), g: (_t: number, y: tf.Tensor) => tf.mul(y, 0.1) };
      const y = fresh(tf.ones([2]));
      if (c.mutation === 'sde-shape') return () => sdeint({ ...sde, f: (_t, x) => tf.concat([x, x]) }, y, [0, 1], { dt: 0.1, bm });
      if (c.mutation === 'sde-past-bm') return () => sdeint(sde, y, [0, 2], { dt: 0.1, bm });
      if (c.mutation === 'sde-torchsde-names') return () => sdeint({ drift: sde.f, diffusion: sde.g } as never, y, [0, 1], { dt: 0.1, bm });
      return () =>
        solve({
          terms: new SDETerm({ drift: sde.f, diffusion: sde.g, bm }),
          solver: 'euler',
          t0: 0,
          t1: 1,
          y0: { a: y } as never,
          dt0: 0.1,
        });
    }
  }
}

/** What a bad-input case ended in, for the closing statistics. */
export type InvalidOutcome = { kind: 'error'; name: string } | { kind: 'status'; status: string } | { kind: 'success' };

/**
 * Run one bad-input case: only NdeErrors (or the user's own error, passed through unchanged) may come out,
 * and nothing may leak.
 */
export function runInvalidCase(c: InvalidCase): InvalidOutcome {
  const before = tf.memory().numTensors;
  const y0 = buildTree(c.base.shape, (l) => tf.tensor1d([...l.y0]));
  const { vf, constants } = vectorFieldOf(c.base.shape);
  const scratch: tf.Tensor[] = [];
  let outcome: InvalidOutcome;
  try {
    const fn = mutate(c, y0, vf, scratch);
    try {
      const r = fn() as { dispose?: () => void; status?: string } | tf.Tensor | undefined;
      outcome = r && 'status' in r && typeof r.status === 'string' ? { kind: 'status', status: r.status } : { kind: 'success' };
      if (r instanceof tf.Tensor) r.dispose();
      else if (r && typeof (r as { dispose?: unknown }).dispose === 'function') (r as { dispose(): void }).dispose();
      else if (r && typeof r === 'object') treeDispose(r as Tree);
    } catch (e) {
      if (!(e instanceof NdeError) && !(e instanceof UserBug)) {
        throw new Error(`${c.mutation}: threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
      }
      outcome = { kind: 'error', name: (e as Error).constructor.name };
    }
  } finally {
    treeDispose(y0);
    tf.dispose([...constants, ...scratch]);
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${c.mutation}: leaked ${leaked} tensors (${JSON.stringify(outcome)})`);
  return outcome;
}
