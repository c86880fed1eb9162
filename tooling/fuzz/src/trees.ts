/**
 * Random tree states with known solutions. Each leaf carries its own linear vector field, chosen among
 * the ways users write them — a scale `λ y`, the input returned unchanged, a clone of it, a captured
 * constant — so aliasing, ownership and tree handling are all exercised, and every leaf has a closed-form
 * solution.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import type { Tree } from '@nde/core';

/**
 * A number in [min, max] on a grid of 10,000 steps. fast-check's own doubles favour extremes (denormals,
 * ±0), which make most solves trivial; the grid spreads cases over the range (both ends included).
 */
export function num(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 10000 }).map((i) => min + ((max - min) * i) / 10000);
}

/** How a leaf's derivative is written. */
export type LeafKind = 'scale' | 'identity' | 'clone' | 'constant';

/** One leaf: its field, its rate, its initial values. */
export interface LeafSpec {
  readonly kind: LeafKind;
  /** Rate λ of `scale` (identity and clone have λ = 1). */
  readonly lambda: number;
  /** Value of `constant`'s derivative. */
  readonly c: number;
  readonly y0: readonly number[];
}

/** A tree of leaf specs: a leaf, an array, or an object. */
export type Shape =
  { readonly leaf: LeafSpec } | { readonly items: readonly Shape[] } | { readonly entries: readonly (readonly [string, Shape])[] };

const leafArb = (kinds: readonly LeafKind[]): fc.Arbitrary<LeafSpec> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    lambda: num(-1.5, 1),
    c: num(-2, 2),
    y0: fc.array(num(-2, 2), { minLength: 1, maxLength: 3 }),
  });

/** Random shapes up to depth 2: a lone tensor most often, else arrays and objects of them. */
export function shapeArb(kinds: readonly LeafKind[] = ['scale', 'identity', 'clone', 'constant'], tensorOnly = false): fc.Arbitrary<Shape> {
  const leaf = leafArb(kinds).map((l): Shape => ({ leaf: l }));
  if (tensorOnly) return leaf;
  const { tree } = fc.letrec<{ tree: Shape }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: leaf, weight: 3 },
      { arbitrary: fc.array(tie('tree'), { minLength: 1, maxLength: 2 }).map((items): Shape => ({ items })), weight: 1 },
      {
        arbitrary: fc
          .uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'pos', 'vel'), tie('tree')), {
            minLength: 1,
            maxLength: 2,
            selector: (e) => e[0],
          })
          .map((entries): Shape => ({ entries })),
        weight: 1,
      },
    ),
  }));
  return tree;
}

/** The leaves of a shape, depth first (objects in key order, as core's treeFlatten). */
export function leavesOf(s: Shape): LeafSpec[] {
  if ('leaf' in s) return [s.leaf];
  if ('items' in s) return s.items.flatMap(leavesOf);
  return [...s.entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)).flatMap(([, v]) => leavesOf(v));
}

/** Build a tree from a shape, one tensor per leaf made by `make`. */
export function buildTree(s: Shape, make: (l: LeafSpec) => tf.Tensor): Tree {
  if ('leaf' in s) return make(s.leaf);
  if ('items' in s) return s.items.map((i) => buildTree(i, make));
  return Object.fromEntries(s.entries.map(([k, v]) => [k, buildTree(v, make)]));
}

/** Map over a shape and a state tree of that shape together. */
function mapWith(s: Shape, y: Tree, fn: (l: LeafSpec, x: tf.Tensor) => tf.Tensor): Tree {
  if ('leaf' in s) return fn(s.leaf, y as tf.Tensor);
  if ('items' in s) return s.items.map((i, j) => mapWith(i, (y as readonly Tree[])[j] as Tree, fn));
  const obj = y as { readonly [k: string]: Tree };
  return Object.fromEntries(s.entries.map(([k, v]) => [k, mapWith(v, obj[k] as Tree, fn)]));
}

/** Effective rate of a leaf (1 for identity and clone). */
export function rate(l: LeafSpec): number {
  return l.kind === 'scale' ? l.lambda : l.kind === 'constant' ? 0 : 1;
}

/** Exact value of a leaf at elapsed time Δt. */
export function exactLeaf(l: LeafSpec, dt: number): number[] {
  return l.kind === 'constant' ? l.y0.map((v) => v + l.c * dt) : l.y0.map((v) => v * Math.exp(rate(l) * dt));
}

/**
 * The vector field of a shape. Constants are captured tensors the caller owns (`constants`); when every
 * leaf is `identity`, the field returns its whole input object unchanged.
 */
export function vectorFieldOf(s: Shape, lambdas?: Map<LeafSpec, tf.Tensor>): { vf: (t: number, y: Tree) => Tree; constants: tf.Tensor[] } {
  const constants = new Map<LeafSpec, tf.Tensor>();
  for (const l of leavesOf(s)) if (l.kind === 'constant') constants.set(l, tf.fill([l.y0.length], l.c));
  const allIdentity = leavesOf(s).every((l) => l.kind === 'identity');
  const vf = (_t: number, y: Tree): Tree =>
    allIdentity
      ? y
      : mapWith(s, y, (l, x) => {
          if (l.kind === 'identity') return x;
          if (l.kind === 'clone') return x.clone();
          if (l.kind === 'constant') return constants.get(l) as tf.Tensor;
          return tf.mul(x, lambdas?.get(l) ?? l.lambda);
        });
  return { vf, constants: [...constants.values()] };
}
