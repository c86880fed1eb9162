/**
 * Shared validation and the tensor / host-array plumbing of every Brownian object. Subclasses only
 * implement `incrementInto(s, u, W, H)` for `t0 <= s < u <= t1` in float64.
 *
 * @example
 * ```ts
 * class MyBrownian extends BrownianBase {
 *   protected incrementInto(s: number, u: number, W: Float64Array, H: Float64Array | null) { ... }
 * }
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnsupportedError } from '@nde/core';
import { fillNormals, foldRaw, key as keyFromSeed, shapeSize, split, type Key } from './prng.js';
import { spaceSpaceArea } from './levy.js';
import type {
  BrownianIncrement,
  BrownianIncrementArrays,
  BrownianMotion,
  BrownianOptions,
  LevyAreaKind,
  SpaceSpaceApproximation,
} from './types.js';

const LEVY_KINDS: readonly LevyAreaKind[] = ['none', 'space-time', 'space-space'];
const RANK: Record<LevyAreaKind, number> = { none: 0, 'space-time': 1, 'space-space': 2 };

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Fold the 64 bits of the double `t` into the key `(k0, k1)`; the result lands in `dst`.
 * Gives a key that is a pure function of the key and the exact time.
 * @internal
 */
export function foldTime(k0: number, k1: number, t: number, dst: Int32Array): void {
  F64[0] = t === 0 ? 0 : t; // -0 and 0 are the same time
  const hi = U32[LITTLE ? 1 : 0] as number;
  const lo = U32[LITTLE ? 0 : 1] as number;
  foldRaw(k0, k1, hi, dst);
  foldRaw(dst[0] as number, dst[1] as number, lo, dst);
}

/** @internal Resolve a key-or-seed option. */
export function resolveKey(k: Key | number): Key {
  if (typeof k === 'number') return keyFromSeed(k);
  return k;
}

/** @internal Throw unless `x` is a finite number > 0. */
export function checkPositive(argument: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
    throw new InvalidArgumentError(argument, `must be a finite number > 0 (got ${String(x)}).`);
  }
  return x;
}

/** Base class of {@link BrownianPath}, {@link VirtualBrownianTree} and {@link BrownianInterval}. */
export abstract class BrownianBase implements BrownianMotion {
  /** Start of the time interval; queries must lie in `[t0, t1]`. */
  readonly t0: number;
  /** End of the time interval (> `t0`). */
  readonly t1: number;
  readonly shape: readonly number[];
  readonly levyArea: LevyAreaKind;
  /** Approximation used for space-space Lévy area. */
  readonly spaceSpace: SpaceSpaceApproximation;
  /** Number of elements of `W(t)`. */
  readonly size: number;
  /** Whether `H` is tracked internally (levyArea is not `none`). */
  protected readonly hasH: boolean;
  /** Key of the object's own noise (the subclass's stream). */
  protected readonly streamKey: Key;
  private readonly areaKey: Key;
  private readonly scratchKey = new Int32Array(2);
  /** Float64 increment of `evaluateArray` (reused: no allocation per query). */
  private scratchW: Float64Array | undefined;
  /** Times within this distance of t0 / t1 are clamped (float rounding of `t0 + k·dt`). */
  private readonly slack: number;

  protected constructor(options: BrownianOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object.');
    const { t0, t1 } = options;
    if (typeof t0 !== 'number' || !Number.isFinite(t0))
      throw new InvalidArgumentError('t0', `must be a finite number (got ${String(t0)}).`);
    if (typeof t1 !== 'number' || !Number.isFinite(t1))
      throw new InvalidArgumentError('t1', `must be a finite number (got ${String(t1)}).`);
    if (!(t1 > t0))
      throw new InvalidArgumentError('t1', `must be > t0 (got t0=${t0}, t1=${t1}).`, 'Query s > u to get negated increments instead.');
    this.t0 = t0;
    this.t1 = t1;
    this.size = shapeSize('shape', options.shape);
    this.shape = Object.freeze([...options.shape]);
    const levy = options.levyArea ?? 'none';
    if (!LEVY_KINDS.includes(levy)) {
      throw new InvalidArgumentError('levyArea', `must be one of ${LEVY_KINDS.join(', ')} (got ${String(levy)}).`);
    }
    if (levy === 'space-space' && this.shape.length === 0) {
      throw new InvalidArgumentError(
        'shape',
        'space-space Lévy area needs at least one dimension (the last axis is the Brownian dimension).',
      );
    }
    this.levyArea = levy;
    const approx = options.spaceSpace ?? 'foster';
    if (approx !== 'foster' && approx !== 'davie') {
      throw new InvalidArgumentError('spaceSpace', `must be 'foster' or 'davie' (got ${String(approx)}).`);
    }
    this.spaceSpace = approx;
    this.hasH = levy !== 'none';
    const k = resolveKey(options.key);
    const [stream, area] = split(k, 2) as [Key, Key];
    this.streamKey = stream;
    this.areaKey = area;
    this.slack = 4 * Number.EPSILON * Math.max(Math.abs(t0), Math.abs(t1), t1 - t0);
  }

  /** Increment (and `H` when non-null) over `[s, u]`, `t0 <= s < u <= t1`, into `W`, `H`. */
  protected abstract incrementInto(s: number, u: number, W: Float64Array, H: Float64Array | null): void;

  /** Validate a query time (NaN, outside [t0, t1] throw; float-rounding overshoot is clamped). @internal */
  protected checkTime(argument: string, t: unknown): number {
    if (typeof t !== 'number' || Number.isNaN(t)) {
      throw new InvalidArgumentError(argument, `must be a number in [t0, t1] = [${this.t0}, ${this.t1}] (got ${String(t)}).`);
    }
    if (t < this.t0) {
      if (this.t0 - t <= this.slack) return this.t0;
      throw new InvalidArgumentError(argument, `is ${t}, outside [t0, t1] = [${this.t0}, ${this.t1}].`);
    }
    if (t > this.t1) {
      if (t - this.t1 <= this.slack) return this.t1;
      throw new InvalidArgumentError(argument, `is ${t}, outside [t0, t1] = [${this.t0}, ${this.t1}].`);
    }
    return t;
  }

  /**
   * `W(u) - W(s)` as a float32 host array (row-major, `size` elements), for any order of `s`, `u`.
   * @example
   * ```ts
   * const dW = bm.evaluateArray(0.1, 0.2); // Float32Array
   * ```
   */
  evaluateArray(s: number, u: number): Float32Array {
    const ss = this.checkTime('s', s);
    const uu = this.checkTime('u', u);
    const out = new Float32Array(this.size);
    if (ss === uu) return out;
    const W = (this.scratchW ??= new Float64Array(this.size));
    if (ss < uu) {
      this.incrementInto(ss, uu, W, null);
      for (let i = 0; i < this.size; i++) out[i] = W[i] as number;
    } else {
      this.incrementInto(uu, ss, W, null);
      for (let i = 0; i < this.size; i++) out[i] = -(W[i] as number);
    }
    return out;
  }

  /**
   * `W(u) - W(s)` as a new float32 tensor of shape `shape` (caller disposes).
   * @example
   * ```ts
   * const dW = bm.evaluate(t, t + dt);
   * dW.dispose();
   * ```
   */
  evaluate(s: number, u: number): tf.Tensor {
    return tf.tensor(this.evaluateArray(s, u), [...this.shape], 'float32');
  }

  /**
   * Increment and Lévy area(s) over `[s, u]` (`s <= u`) as host arrays.
   * @throws {@link @nde/core!UnsupportedError} when `kind` needs more Lévy area than `levyArea`.
   * @example
   * ```ts
   * const { W, H } = bm.evaluateLevyArrays(0, 0.5, 'space-time');
   * ```
   */
  evaluateLevyArrays(s: number, u: number, kind: Exclude<LevyAreaKind, 'none'>): BrownianIncrementArrays {
    if (kind !== 'space-time' && kind !== 'space-space') {
      throw new InvalidArgumentError('kind', `must be 'space-time' or 'space-space' (got ${String(kind)}).`);
    }
    if (RANK[kind] > RANK[this.levyArea]) {
      throw new UnsupportedError(
        'kind',
        `this Brownian motion was built with levyArea '${this.levyArea}' and cannot return '${kind}' Lévy area.`,
        `Construct it with { levyArea: '${kind}' }.`,
      );
    }
    const ss = this.checkTime('s', s);
    const uu = this.checkTime('u', u);
    if (uu < ss) throw new InvalidArgumentError('u', `must be >= s for Lévy area (got s=${s}, u=${u}).`);
    const n = this.size;
    const W = new Float64Array(n);
    const H = new Float64Array(n);
    if (uu > ss) this.incrementInto(ss, uu, W, H);
    const out: BrownianIncrementArrays = { W: Float32Array.from(W), H: Float32Array.from(H) };
    if (kind === 'space-space') {
      const m = this.shape[this.shape.length - 1] as number;
      const count = (n / m) * ((m * (m - 1)) / 2);
      const z = new Float64Array(count);
      if (uu > ss && count > 0) {
        const k = this.scratchKey;
        foldTime(this.areaKey[0] | 0, this.areaKey[1] | 0, ss, k);
        foldTime(k[0] as number, k[1] as number, uu, k);
        fillNormals(k[0] as number, k[1] as number, z, count);
      }
      out.A = spaceSpaceArea(n, m, uu - ss, W, H, z, this.spaceSpace);
    }
    return out;
  }

  /**
   * Increment and Lévy area(s) over `[s, u]` as new float32 tensors (caller disposes each).
   * `W`, `H` have shape `shape`; `A` has shape `[...shape, m]`.
   * @example
   * ```ts
   * const { W, H } = bm.evaluateLevy(t, t + dt, 'space-time');
   * W.dispose(); H?.dispose();
   * ```
   */
  evaluateLevy(s: number, u: number, kind: Exclude<LevyAreaKind, 'none'>): BrownianIncrement {
    const arrays = this.evaluateLevyArrays(s, u, kind);
    const shape = [...this.shape];
    const out: BrownianIncrement = { W: tf.tensor(arrays.W, shape, 'float32') };
    if (arrays.H) out.H = tf.tensor(arrays.H, shape, 'float32');
    if (arrays.A) out.A = tf.tensor(arrays.A, [...shape, shape[shape.length - 1] as number], 'float32');
    return out;
  }
}
