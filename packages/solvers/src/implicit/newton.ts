/**
 * Simplified Newton for the implicit solvers' stage equations, all of the form
 * G(z) = z − base − c·f(t, z) = 0 (an ESDIRK stage: c = hγ; a BDF step: c = h/α_k), on the host in
 * float64 with the factorisation of I − cJ kept in a cache shared by a step and its retries.
 * Stopping rule of Hairer & Wanner (Solving ODEs II, IV.8): with θ the contraction rate, stop when
 * η‖Δ‖ ≤ κ (η = θ/(1 − θ)) in the scaled norm; fail when θ ≥ 1, the norm is not finite, or the
 * iteration limit is reached. A correction at the float32 resolution of the vector field (its inputs
 * and outputs) counts as converged: nothing smaller is reachable.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, countHostRead, isTensor, tidyTree, treeDispose, type Tree } from '@nde/core';
import type { HostLayout } from './layout.js';
import type { StepTolerances } from '../solver.js';
import { BlockLU } from './lu.js';

/** Twice float32's unit roundoff: the resolution of a float32 vector field's input and output. */
const FLOAT32_NOISE = 2 ** -23;

/** Jacobian and factorisation shared by a step and its retries (a rejected step keeps the older state). @internal */
export interface NewtonCache {
  /** Time and state the Jacobian was computed at. */
  jAt?: { t: number; y: Float64Array };
  /** The Jacobian blocks, row-major. */
  J?: Float64Array;
  /** The factorisation of I − cJ and the c it is for. */
  lu?: BlockLU;
  luFor?: number;
  /** Recompute the Jacobian before the next step (Newton converged slowly). */
  stale: boolean;
  /** The last contraction estimate η = θ/(1 − θ), to judge a first iteration (Hairer's η₀ = η^0.8). */
  eta?: number;
}

/** What a step's implicit work cost. @internal */
export interface NewtonWork {
  nfe: number;
  jacobians: number;
  factorizations: number;
  newtonIterations: number;
}

/** The Newton settings. @internal */
export interface NewtonSettings {
  readonly maxIterations: number;
  readonly kappa: number;
}

/** Check the Newton settings: a positive integer limit and 0 < κ < 1. @internal */
export function validateNewton(s: NewtonSettings): void {
  if (!(Number.isInteger(s.maxIterations) && s.maxIterations > 0))
    throw new InvalidArgumentError('maxNewtonIterations', `must be a positive integer (got ${s.maxIterations}).`);
  if (!(s.kappa > 0 && s.kappa < 1)) throw new InvalidArgumentError('newtonKappa', `must be in (0, 1) (got ${s.kappa}).`);
}

/**
 * The LU factorisation of I − cJ for `blocks` row-major n×n Jacobian blocks; undefined when singular.
 * @param J - the Jacobian blocks
 * @param c - the step's coefficient (hγ, or h/α for BDF)
 * @param blocks - how many blocks
 * @param n - size of each block
 * @internal
 */
export function factorNewtonMatrix(J: Float64Array, c: number, blocks: number, n: number): BlockLU | undefined {
  const M = new Float64Array(J.length);
  for (let b = 0; b < blocks; b++) {
    const o = b * n * n;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M[o + i * n + j] = (i === j ? 1 : 0) - c * (J[o + i * n + j] as number);
  }
  return BlockLU.factor(M, n, blocks);
}

/**
 * Factor I − cJ (blocks of size n) into the cache unless it holds that factorisation already.
 * Returns false when it is singular.
 * @internal
 */
export function ensureFactorization(cache: NewtonCache, c: number, blocks: number, n: number, work: NewtonWork): boolean {
  if (cache.lu && cache.luFor === c) return true;
  cache.lu = factorNewtonMatrix(cache.J as Float64Array, c, blocks, n);
  cache.luFor = c;
  work.factorizations++;
  return cache.lu !== undefined;
}

/**
 * Solve z − base − c f(t, z) = 0 from the initial guess `z` (updated in place). Returns the largest
 * contraction rate seen, or undefined when the iteration failed.
 * @param freshJ - the Jacobian is from this step: a first iteration may then suffice
 * @internal
 */
export function newtonSolve(
  f: (t: number, y: Float64Array) => Float64Array,
  t: number,
  z: Float64Array,
  base: Float64Array,
  c: number,
  scale: Float64Array,
  cache: NewtonCache,
  settings: NewtonSettings,
  work: NewtonWork,
  freshJ: boolean,
): number | undefined {
  const N = z.length;
  const lu = cache.lu as BlockLU;
  let prevNorm = Infinity;
  let maxRate = 0;
  for (let it = 0; it < settings.maxIterations; it++) {
    const fz = f(t, z);
    work.newtonIterations++;
    const delta = new Float64Array(N);
    for (let k = 0; k < N; k++) delta[k] = -((z[k] as number) - (base[k] as number) - c * (fz[k] as number));
    lu.solve(delta);
    // Float32 noise: the input's rounding (~2^-23 |z|) and that of the step's increment c f, whose
    // converged size is |z − base|, bound what a correction can resolve. Not |c f(z)| at the current
    // iterate: far from convergence that is large, and the floor then accepted BDF's predictor as
    // converged (a wrong Van der Pol solution; see the stiff tests).
    let sq = 0;
    let floorSq = 0;
    for (let k = 0; k < N; k++) {
      const floor = (FLOAT32_NOISE * (Math.abs(z[k] as number) + Math.abs((z[k] as number) - (base[k] as number)))) / (scale[k] as number);
      floorSq += floor * floor;
      z[k] = (z[k] as number) + (delta[k] as number);
      const r = (delta[k] as number) / (scale[k] as number);
      sq += r * r;
    }
    const norm = Math.sqrt(sq / N);
    if (!Number.isFinite(norm)) return undefined;
    const floorNorm = Math.sqrt(floorSq / N);
    if (norm <= floorNorm) return maxRate;
    if (it > 0) {
      const rate = norm / prevNorm;
      // Stagnating at the order of the float32 floor (cancellation inside f, e.g. −1000 (y1 − y2)
      // with y1 ≈ y2, adds noise the floor cannot see), or below κ of the tolerance: the iterate is
      // as good as float32 allows.
      if (rate >= 0.9 && (norm <= 2 * floorNorm || norm <= settings.kappa)) return maxRate;
      if (rate >= 1) return undefined;
      maxRate = Math.max(maxRate, rate);
      const eta = rate / (1 - rate);
      cache.eta = eta;
      if (eta * norm <= settings.kappa) return maxRate;
    } else if (norm === 0 || (freshJ && Math.max(cache.eta ?? 1, 1e-16) ** 0.8 * norm <= settings.kappa)) {
      // One iteration suffices when the previous contraction says so — trusted only with a
      // Jacobian from this step: an old one may contract far worse than last time.
      return maxRate;
    }
    prevNorm = norm;
  }
  return undefined;
}

/**
 * Newton's scaled norm needs numbers: per-component tolerance trees fall back to their smallest
 * entry; without a controller (constant steps), rtol 1e-6 and atol 1e-9, near float32 resolution.
 * @internal
 */
export function numericTolerances(t: StepTolerances | undefined): { rtol: number; atol: number } {
  const pick = (v: StepTolerances['rtol'] | undefined, d: number): number => {
    if (typeof v === 'number') return v;
    if (v === undefined) return d;
    const leaves = isTensor(v) ? [v] : Object.values(v as Record<string, tf.Tensor>).filter(isTensor);
    const mins = leaves.map((x) => tf.tidy(() => tf.min(x).dataSync()[0] as number));
    countHostRead(mins.length);
    return mins.length ? Math.min(...mins) : d;
  };
  return { rtol: pick(t?.rtol, 1e-6), atol: pick(t?.atol, 1e-9) };
}

/** The vector field on host vectors: one evaluation, counted. @internal */
export function hostField(
  evaluate: (t: number, y: Tree) => Tree,
  layout: HostLayout,
  work: NewtonWork,
): (t: number, y: Float64Array) => Float64Array {
  return (t, y) => {
    const x = layout.tree(y);
    const out = tidyTree(() => evaluate(t, x));
    const v = layout.read(out);
    treeDispose(x, out);
    work.nfe++;
    return v;
  };
}

/** Whether two host arrays hold the same values. @internal */
export function sameArray(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
