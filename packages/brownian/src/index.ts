/**
 * `@nde/brownian`: a splittable counter-based PRNG (Threefry-2x32) and Brownian motions with Lévy area
 * for TensorFlow.js. Every object computes on the host, so the same key gives the same numbers on every
 * backend, and no Brownian object holds tensors.
 *
 * @example
 * ```ts
 * import { VirtualBrownianTree } from '@nde/brownian';
 * const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [16, 2], key: 0, levyArea: 'space-time' });
 * const { W, H } = bm.evaluateLevy(0.1, 0.2, 'space-time');
 * W.dispose(); H?.dispose();
 * ```
 * @packageDocumentation
 */
export { key, split, fold, threefry2x32, uniformArray, normalArray, normal, type Key } from './prng.js';
export type {
  LevyAreaKind,
  SpaceSpaceApproximation,
  BrownianIncrement,
  BrownianIncrementArrays,
  BrownianMotion,
  BrownianOptions,
} from './types.js';
export { BrownianBase } from './base.js';
export { BrownianPath, type BrownianPathOptions } from './path.js';
export { VirtualBrownianTree, type VirtualBrownianTreeOptions } from './tree.js';
export { BrownianInterval, type BrownianIntervalOptions } from './interval.js';
