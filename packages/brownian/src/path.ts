/**
 * {@link BrownianPath}: stores every value it has generated, like torchsde's `BrownianPath`. It starts with
 * `W(t0) = 0` and `W(t1) ~ N(0, t1 - t0)`; a new time `r` between stored neighbours `t_i < r < t_{i+1}` is
 * sampled from the Brownian bridge (with space-time Lévy area: the Brownian arch) conditioned on them,
 * using a key derived from the object's key and the exact bits of `r`. So the joint law of every stored
 * point is exactly Brownian (no tolerance), a solver stepping forward costs O(1) per step, and repeated
 * queries return identical values. The value at a new time depends on which neighbours were stored
 * before it (as for every bridge-sampling path); use {@link VirtualBrownianTree} when values must not
 * depend on query history. Memory grows with the number of distinct query times.
 *
 * @example
 * ```ts
 * import { BrownianPath } from '@nde/brownian';
 * const bm = new BrownianPath({ t0: 0, t1: 1, shape: [128, 1], key: 0 });
 * for (let i = 0; i < 100; i++) {
 *   const dW = bm.evaluateArray(i / 100, (i + 1) / 100); // host Float32Array
 * }
 * ```
 */
import { BrownianBase, foldTime } from './base.js';
import { fillNormals, split, type Key } from './prng.js';
import { combineInto, splitIncrement } from './levy.js';
import type { BrownianOptions } from './types.js';

/** Options of {@link BrownianPath}. */
export type BrownianPathOptions = BrownianOptions;

/** Brownian motion that stores the values it generates (see the module docs). */
export class BrownianPath extends BrownianBase {
  private readonly times: number[];
  /** W(times[i]) - W(t0). */
  private readonly values: Float64Array[];
  /** H over [times[i], times[i+1]] (empty without Lévy area). */
  private readonly areas: Float64Array[];
  private readonly k0: number;
  private readonly k1: number;
  private readonly kbuf = new Int32Array(2);
  private readonly z: Float64Array;
  private readonly inc: Float64Array;
  private hint = 0;

  /**
   * @throws `InvalidArgumentError` for a bad interval, shape, key or `levyArea`.
   * @example
   * ```ts
   * new BrownianPath({ t0: 0, t1: 2, shape: [10, 3], key: 5, levyArea: 'space-time' });
   * ```
   */
  constructor(options: BrownianPathOptions) {
    super(options);
    const n = this.size;
    const [rootKey, pathKey] = split(this.streamKey, 2) as [Key, Key];
    this.k0 = pathKey[0] | 0;
    this.k1 = pathKey[1] | 0;
    this.z = new Float64Array(this.hasH ? 2 * n : n);
    this.inc = new Float64Array(n);
    const T = this.t1 - this.t0;
    const z0 = new Float64Array(this.hasH ? 2 * n : n);
    fillNormals(rootKey[0] | 0, rootKey[1] | 0, z0, z0.length);
    const W1 = new Float64Array(n);
    for (let i = 0; i < n; i++) W1[i] = Math.sqrt(T) * (z0[i] as number);
    this.times = [this.t0, this.t1];
    this.values = [new Float64Array(n), W1];
    this.areas = [];
    if (this.hasH) {
      const H = new Float64Array(n);
      for (let i = 0; i < n; i++) H[i] = Math.sqrt(T / 12) * (z0[n + i] as number);
      this.areas.push(H);
    }
  }

  /** Number of stored times (grows with distinct queries). */
  get storedPoints(): number {
    return this.times.length;
  }

  /** Largest i with times[i] <= r (checks the last position first: sequential access is O(1)). */
  private find(r: number): number {
    const times = this.times;
    const last = times.length - 1;
    const h = this.hint;
    if (h < last && (times[h] as number) <= r && r < (times[h + 1] as number)) return h;
    if (h + 1 < last && (times[h + 1] as number) <= r && r < (times[h + 2] as number)) return h + 1;
    if (r >= (times[last] as number)) return last;
    let lo = 0;
    let hi = last; // times[lo] <= r < times[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] as number) <= r) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Index of time r, inserting it (bridge sample) if it is new. */
  private locate(r: number): number {
    const i = this.find(r);
    const times = this.times;
    if (times[i] === r) {
      this.hint = i;
      return i;
    }
    const n = this.size;
    const s = times[i] as number;
    const u = times[i + 1] as number;
    const Ws = this.values[i] as Float64Array;
    const Wu = this.values[i + 1] as Float64Array;
    const inc = this.inc;
    for (let j = 0; j < n; j++) inc[j] = (Wu[j] as number) - (Ws[j] as number);
    const k = this.kbuf;
    foldTime(this.k0, this.k1, r, k);
    fillNormals(k[0] as number, k[1] as number, this.z, this.z.length);
    const Wl = new Float64Array(n);
    if (this.hasH) {
      const H = this.areas[i] as Float64Array;
      const Hl = new Float64Array(n);
      const Hr = new Float64Array(n);
      splitIncrement(n, r - s, u - r, inc, H, this.z, Wl, Hl, null, Hr);
      this.areas[i] = Hl;
      this.areas.splice(i + 1, 0, Hr);
    } else {
      splitIncrement(n, r - s, u - r, inc, null, this.z, Wl, null, null, null);
    }
    for (let j = 0; j < n; j++) Wl[j] = (Ws[j] as number) + (Wl[j] as number);
    times.splice(i + 1, 0, r);
    this.values.splice(i + 1, 0, Wl);
    this.hint = i + 1;
    return i + 1;
  }

  protected incrementInto(s: number, u: number, W: Float64Array, H: Float64Array | null): void {
    const n = this.size;
    const is = this.locate(s);
    const iu = this.locate(u); // u > s is inserted after s, so `is` stays valid
    const a = this.values[is] as Float64Array;
    const b = this.values[iu] as Float64Array;
    for (let j = 0; j < n; j++) W[j] = (b[j] as number) - (a[j] as number);
    if (!H) return;
    // Combine the stored Lévy areas of the pieces between s and u, left to right.
    const times = this.times;
    const Wacc = new Float64Array(n);
    const Wk = new Float64Array(n);
    let h = 0;
    for (let k = is; k < iu; k++) {
      const hk = (times[k + 1] as number) - (times[k] as number);
      const v0 = this.values[k] as Float64Array;
      const v1 = this.values[k + 1] as Float64Array;
      if (k === is) {
        for (let j = 0; j < n; j++) Wacc[j] = (v1[j] as number) - (v0[j] as number);
        H.set(this.areas[k] as Float64Array);
      } else {
        for (let j = 0; j < n; j++) Wk[j] = (v1[j] as number) - (v0[j] as number);
        combineInto(n, h, Wacc, H, hk, Wk, this.areas[k] as Float64Array);
      }
      h += hk;
    }
  }
}
