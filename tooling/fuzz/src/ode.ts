/**
 * ODE properties: every method, tree states with aliasing vector fields, random `saveAt`, both time
 * directions and t0 == t1. Checks: no error at all, no leaked tensor, saved states and dense output
 * within the method's order bound of the closed form, and a backward solve that returns to y0.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { treeDispose, treeLeaves, treeMap, type Tree } from '@nde/core';
import {
  IMEX_TABLEAUS,
  MultiTerm,
  ODETerm,
  PIDController,
  knownMethods,
  resolveSolver,
  solve,
  type SaveAt,
  type Solution,
  type SolveOptions,
} from '@nde/solvers';
import { num, buildTree, exactLeaf, leavesOf, rate, shapeArb, vectorFieldOf, type Shape } from './trees.js';

/** One random ODE solve. */
export interface OdeCase {
  readonly shape: Shape;
  readonly method: string;
  readonly t0: number;
  readonly t1: number;
  readonly saveAt: SaveAt;
  /** Times at which the dense output is queried (fractions of the interval). */
  readonly denseAt: readonly number[];
  readonly checkInverse: boolean;
}

const ODE_METHODS = knownMethods('ode');

/** Step size of fixed-step methods: small enough that the order bound is tight, large enough to be quick. */
export function fixedStep(order: number): number {
  return order >= 4 ? 0.05 : order >= 2 ? 0.01 : 0.002;
}

/** Random ODE cases (about 1 in 10 with t0 == t1, half of them backward in time). */
export const odeCaseArb: fc.Arbitrary<OdeCase> = fc
  .record({
    shape: shapeArb(),
    method: fc.constantFrom(...ODE_METHODS),
    t0: num(-2, 2),
    span: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: num(-1.5, 1.5), weight: 9 }),
    saveT0: fc.boolean(),
    saveT1: fc.boolean(),
    steps: fc.boolean(),
    dense: fc.boolean(),
    fractions: fc.array(num(0, 1), { maxLength: 4 }),
    denseAt: fc.array(num(0, 1), { maxLength: 3 }),
    checkInverse: fc.boolean(),
  })
  .map((r) => {
    const t1 = r.t0 + r.span;
    const ts = [...r.fractions].sort((a, b) => a - b).map((f) => (f === 1 ? t1 : r.t0 + f * r.span));
    const saveAt: SaveAt = { t0: r.saveT0, t1: r.saveT1, ...(ts.length ? { ts } : {}), steps: r.steps, dense: r.dense };
    return { shape: r.shape, method: r.method, t0: r.t0, t1, saveAt, denseAt: r.denseAt, checkInverse: r.checkInverse };
  });

const treeZerosLike = (y: Tree): Tree => treeMap((x) => tf.zerosLike(x), y);

/** Options to solve a case (adaptive with PID where the method has an error estimate). */
export function odeOptions(c: OdeCase, y0: Tree, vf: (t: number, y: Tree) => Tree): SolveOptions<Tree> {
  const solver = resolveSolver(c.method, 'ode');
  const dir = c.t1 >= c.t0 ? 1 : -1;
  // IMEX methods take the field as a MultiTerm: here all of it implicit, a zero explicit part (which
  // returns a fresh tensor each call).
  const term = new ODETerm(vf);
  const terms = c.method in IMEX_TABLEAUS ? new MultiTerm(new ODETerm((_t: number, y: Tree) => treeZerosLike(y)), term) : term;
  return {
    terms,
    solver: c.method,
    t0: c.t0,
    t1: c.t1,
    y0,
    saveAt: c.saveAt,
    ...(solver.errorOrder !== undefined
      ? { stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-6 }) }
      : { dt0: dir * fixedStep(solver.order) }),
  };
}

/** Error bound for a leaf at elapsed time Δt: the method's order bound plus float32 rounding. */
export function bound(c: OdeCase, dt: number, scale: number): number {
  const solver = resolveSolver(c.method, 'ode');
  const lam = Math.max(1, ...leavesOf(c.shape).map((l) => Math.abs(rate(l))));
  const grow = Math.exp(lam * Math.abs(dt));
  const discretisation =
    solver.errorOrder !== undefined ? 1e-3 : 5 * Math.abs(dt) * lam ** (solver.order + 1) * fixedStep(solver.order) ** solver.order;
  return (discretisation + 1e-4) * grow * (1 + scale);
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** Compare a solved tree with the closed form at time t. */
export function expectClose(c: OdeCase, y: Tree, t: number, where: string): void {
  const dt = t - c.t0;
  const specs = leavesOf(c.shape);
  const got = treeLeaves(y);
  check(got.length === specs.length, `${where}: ${got.length} leaves, expected ${specs.length}`);
  specs.forEach((l, i) => {
    const want = exactLeaf(l, dt);
    const have = Array.from((got[i] as tf.Tensor).dataSync());
    const scale = Math.max(...want.map(Math.abs));
    const tol = bound(c, dt, scale);
    want.forEach((w, j) =>
      check(
        Math.abs((have[j] as number) - w) <= tol,
        `${where}: leaf ${i}[${j}] = ${have[j]}, exact ${w} (tol ${tol.toExponential(2)}) at t=${t}`,
      ),
    );
  });
}

/** Entry `k` of each stacked leaf. */
export function entry(ys: Tree, k: number): Tree {
  return mapTree(ys, (x) => tf.tidy(() => x.slice([k], [1]).squeeze([0])));
}

function mapTree(y: Tree, fn: (x: tf.Tensor) => tf.Tensor): Tree {
  if (y instanceof tf.Tensor) return fn(y);
  if (Array.isArray(y)) return y.map((v) => mapTree(v, fn));
  return Object.fromEntries(Object.entries(y as Record<string, Tree>).map(([k, v]) => [k, mapTree(v, fn)]));
}

/** Run one ODE case and check every property; throws an Error describing the first that fails. */
export function runOdeCase(c: OdeCase): void {
  const before = tf.memory().numTensors;
  const y0 = buildTree(c.shape, (l) => tf.tensor1d([...l.y0]));
  const { vf, constants } = vectorFieldOf(c.shape);
  let sol: Solution<Tree> | undefined;
  try {
    sol = solve(odeOptions(c, y0, vf));
    check(sol.status === 'success', `status ${sol.status}: ${sol.message}`);
    const expectTs = [...(c.saveAt.t0 ? [c.t0] : []), ...(c.saveAt.ts ?? [])];
    // Save order: t0, then ts and steps interleaved in time, then t1.
    check(sol.ts.length >= expectTs.length + (c.saveAt.t1 ? 1 : 0), `saved ${sol.ts.length} times, expected at least ${expectTs.length}`);
    sol.ts.forEach((t, k) => {
      const yk = entry(sol!.ys as Tree, k);
      expectClose(c, yk, t, `saved[${k}]`);
      treeDispose(yk);
    });
    if (c.saveAt.dense && sol.dense && c.t0 !== c.t1) {
      for (const f of c.denseAt) {
        const t = c.t0 + f * (c.t1 - c.t0);
        const y = sol.dense.evaluate(t);
        expectClose(c, y, t, `dense(${t})`);
        treeDispose(y);
      }
    }
    if (c.checkInverse && c.t0 !== c.t1) {
      const yEnd = solve({ ...odeOptions(c, y0, vf), saveAt: { t1: true } });
      const endState = entry(yEnd.ys as Tree, 0);
      yEnd.dispose();
      const back = solve({ ...odeOptions({ ...c, t0: c.t1, t1: c.t0 }, endState, vf), saveAt: { t1: true } });
      const y0Back = entry(back.ys as Tree, 0);
      back.dispose();
      treeDispose(endState);
      // Both legs' errors, at the forward leg's growth.
      const specs = leavesOf(c.shape);
      treeLeaves(y0Back).forEach((x, i) => {
        const l = specs[i]!;
        const tol = 2 * bound(c, c.t1 - c.t0, Math.max(...exactLeaf(l, c.t1 - c.t0).map(Math.abs), ...l.y0.map(Math.abs)));
        Array.from(x.dataSync()).forEach((v, j) =>
          check(Math.abs(v - (l.y0[j] as number)) <= tol, `backward solve: leaf ${i}[${j}] = ${v}, y0 ${l.y0[j]} (tol ${tol})`),
        );
      });
      treeDispose(y0Back);
    }
  } finally {
    sol?.dispose();
    treeDispose(y0);
    constants.forEach((x) => x.dispose());
  }
  check(tf.memory().numTensors === before, `leaked ${tf.memory().numTensors - before} tensors`);
}
