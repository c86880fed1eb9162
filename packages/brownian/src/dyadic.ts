/**
 * The dyadic Brownian tree shared by {@link VirtualBrownianTree} and {@link BrownianInterval}: the node
 * `(level, index)` covers `[t0 + index·T/2^level, t0 + (index+1)·T/2^level]` (midpoints computed as
 * `(s + u) / 2` from the root down). Its noise comes from a key that is a pure function of the object's
 * key and `(level, index)`, so every value is independent of query order and identical in both classes.
 *
 * A node's state holds `W(s)` (cumulative from t0), the increment `W` over the node, and — with Lévy area —
 * its space-time Lévy area `H` and `I(s) = ∫_{t0}^{s} W(r) dr`, from which `H` over any `[s, u]` follows:
 * `H_{s,u} = (I(u) - I(s) - (u-s)(W(s) + W(u))/2) / (u - s)`.
 *
 * @example
 * ```ts
 * // internal; see VirtualBrownianTree / BrownianInterval
 * ```
 * @internal
 */
import { fillNormals, foldRaw, split, type Key } from './prng.js';
import { splitIncrement } from './levy.js';

/** Deepest level supported (node ids `2^level + index` stay exact doubles). @internal */
export const MAX_DEPTH = 50;

/** State of one node of the tree. @internal */
export interface NodeState {
  id: number;
  level: number;
  index: number;
  s: number;
  u: number;
  /** W(s) - W(t0). */
  Ws: Float64Array;
  /** W(u) - W(s). */
  W: Float64Array;
  /** Space-time Lévy area over [s, u] (null without Lévy area). */
  H: Float64Array | null;
  /** ∫_{t0}^{s} (W(r) - W(t0)) dr (null without Lévy area). */
  Is: Float64Array | null;
  /** Normals that split this node (lazily filled). */
  z: Float64Array | null;
  zReady: boolean;
}

/** Number of bisection levels for a tolerance: leaves are no longer than `tol`. @internal */
export function depthFor(span: number, tol: number): number {
  const ratio = span / tol;
  if (!(ratio > 1)) return 0;
  return Math.min(MAX_DEPTH, Math.ceil(Math.log2(ratio) - 1e-12));
}

/** Host-side math of the dyadic tree. @internal */
export class DyadicCore {
  readonly n: number;
  readonly hasH: boolean;
  private readonly rootKey: Key;
  private readonly nk0: number;
  private readonly nk1: number;
  private readonly kbuf = new Int32Array(2);
  private readonly Wl: Float64Array;
  private readonly Hl: Float64Array | null;
  /** The last point computed by `increment`: W (and I) at time `lastT`, in `pW[cur]` / `pI[cur]`. */
  private readonly pW: [Float64Array, Float64Array];
  private readonly pI: [Float64Array | null, Float64Array | null];
  private readonly zeros: Float64Array;
  private lastT = Number.NaN;
  private cur = 0;

  constructor(
    readonly t0: number,
    readonly t1: number,
    readonly depth: number,
    n: number,
    hasH: boolean,
    streamKey: Key,
  ) {
    this.n = n;
    this.hasH = hasH;
    const [rootKey, nodesKey] = split(streamKey, 2) as [Key, Key];
    this.rootKey = rootKey;
    this.nk0 = nodesKey[0] | 0;
    this.nk1 = nodesKey[1] | 0;
    this.Wl = new Float64Array(n);
    this.Hl = hasH ? new Float64Array(n) : null;
    this.pW = [new Float64Array(n), new Float64Array(n)];
    this.pI = hasH ? [new Float64Array(n), new Float64Array(n)] : [null, null];
    this.zeros = new Float64Array(n);
  }

  /** A fresh, unfilled state. */
  newState(): NodeState {
    const n = this.n;
    return {
      id: 0,
      level: 0,
      index: 0,
      s: this.t0,
      u: this.t1,
      Ws: new Float64Array(n),
      W: new Float64Array(n),
      H: this.hasH ? new Float64Array(n) : null,
      Is: this.hasH ? new Float64Array(n) : null,
      z: null,
      zReady: false,
    };
  }

  /** Fill `st` with the root: W(t1) - W(t0) ~ N(0, T), H ~ N(0, T/12). */
  root(st: NodeState): void {
    const n = this.n;
    const T = this.t1 - this.t0;
    const z = new Float64Array(this.hasH ? 2 * n : n);
    fillNormals(this.rootKey[0] | 0, this.rootKey[1] | 0, z, z.length);
    const sw = Math.sqrt(T);
    const sh = Math.sqrt(T / 12);
    for (let i = 0; i < n; i++) st.W[i] = sw * (z[i] as number);
    st.Ws.fill(0);
    if (st.H && st.Is) {
      for (let i = 0; i < n; i++) st.H[i] = sh * (z[n + i] as number);
      st.Is.fill(0);
    }
    st.id = 1;
    st.level = 0;
    st.index = 0;
    st.s = this.t0;
    st.u = this.t1;
    st.zReady = false;
  }

  /** Fill the splitting normals of a node from its `(level, index)` key. */
  noise(st: NodeState): Float64Array {
    if (st.zReady && st.z) return st.z;
    const count = this.hasH ? 2 * this.n : this.n;
    if (!st.z) st.z = new Float64Array(count);
    const k = this.kbuf;
    foldRaw(this.nk0, this.nk1, st.level, k);
    foldRaw(k[0] as number, k[1] as number, Math.floor(st.index / 4294967296), k);
    foldRaw(k[0] as number, k[1] as number, st.index >>> 0, k);
    fillNormals(k[0] as number, k[1] as number, st.z, count);
    st.zReady = true;
    return st.z;
  }

  /** Midpoint of a node (the one formula used everywhere). */
  static mid(s: number, u: number): number {
    return 0.5 * (s + u);
  }

  /** Fill `into` with the left (`right=false`) or right child of `parent`. `into !== parent`. */
  child(parent: NodeState, right: boolean, into: NodeState): void {
    const n = this.n;
    const z = this.noise(parent);
    const s = parent.s;
    const u = parent.u;
    const t = DyadicCore.mid(s, u);
    const a = t - s;
    into.level = parent.level + 1;
    into.index = 2 * parent.index + (right ? 1 : 0);
    into.id = 2 * parent.id + (right ? 1 : 0);
    into.zReady = false;
    if (!right) {
      splitIncrement(n, a, u - t, parent.W, parent.H, z, into.W, into.H, null, null);
      into.Ws.set(parent.Ws);
      if (into.Is && parent.Is) into.Is.set(parent.Is);
      into.s = s;
      into.u = t;
      return;
    }
    const Wl = this.Wl;
    const Hl = this.Hl;
    splitIncrement(n, a, u - t, parent.W, parent.H, z, Wl, Hl, into.W, into.H);
    const pWs = parent.Ws;
    const Ws = into.Ws;
    if (Hl && into.Is && parent.Is) {
      const pIs = parent.Is;
      const Is = into.Is;
      const halfA = 0.5 * a;
      for (let i = 0; i < n; i++) {
        const ws = pWs[i] as number;
        const wl = Wl[i] as number;
        Is[i] = (pIs[i] as number) + a * ws + a * (Hl[i] as number) + halfA * wl;
        Ws[i] = ws + wl;
      }
    } else {
      for (let i = 0; i < n; i++) Ws[i] = (pWs[i] as number) + (Wl[i] as number);
    }
    into.s = t;
    into.u = u;
  }

  /**
   * W(r) (and I(r) when `I` is non-null) for `r` inside the leaf `st`: the exact conditional law of one
   * point given the leaf's `(W, H)`, with the leaf's own normals (so W is continuous in r inside a leaf,
   * as diffrax's spline). When `r` is the node's right end, the node's own values (no noise needed).
   */
  point(st: NodeState, r: number, W: Float64Array, I: Float64Array | null): void {
    const n = this.n;
    const Ws = st.Ws;
    if (r === st.u) {
      const Wn = st.W;
      if (I && st.H && st.Is) {
        // I(u) = I(s) + h·W(s) + h·(H + W/2)
        const h = st.u - st.s;
        const Is = st.Is;
        const Hn = st.H;
        for (let i = 0; i < n; i++) {
          const ws = Ws[i] as number;
          const wn = Wn[i] as number;
          I[i] = (Is[i] as number) + h * ws + h * (Hn[i] as number) + 0.5 * h * wn;
          W[i] = ws + wn;
        }
      } else {
        for (let i = 0; i < n; i++) W[i] = (Ws[i] as number) + (Wn[i] as number);
      }
      return;
    }
    const z = this.noise(st);
    const a = r - st.s;
    const Wl = this.Wl;
    const Hl = this.Hl;
    splitIncrement(n, a, st.u - r, st.W, st.H, z, Wl, Hl, null, null);
    if (I && Hl && st.Is) {
      const Is = st.Is;
      const halfA = 0.5 * a;
      for (let i = 0; i < n; i++) {
        const ws = Ws[i] as number;
        const wl = Wl[i] as number;
        I[i] = (Is[i] as number) + a * ws + a * (Hl[i] as number) + halfA * wl;
        W[i] = ws + wl;
      }
    } else {
      for (let i = 0; i < n; i++) W[i] = (Ws[i] as number) + (Wl[i] as number);
    }
  }

  /**
   * Increment (and H when non-null) over `[s, u]`, `t0 <= s < u`, from the points W(s), W(u) (and I).
   * `leaf(r)` returns the node whose point formula gives r (see {@link DyadicCore.stopsAt}). The last point
   * computed is kept: a solver stepping forward asks for W(s) where the previous step asked W(u), and
   * point values depend only on the time (not on the query history), so reusing it is exact.
   */
  increment(s: number, u: number, W: Float64Array, H: Float64Array | null, leaf: (r: number) => NodeState): void {
    const cur = this.cur;
    const other = 1 - cur;
    let Ws: Float64Array;
    let Is: Float64Array | null;
    let into: number;
    if (s === this.t0) {
      Ws = this.zeros;
      Is = this.hasH ? this.zeros : null;
      into = other;
    } else if (s === this.lastT) {
      Ws = this.pW[cur] as Float64Array;
      Is = this.pI[cur] as Float64Array | null;
      into = other;
    } else {
      Ws = this.pW[other] as Float64Array;
      Is = this.pI[other] as Float64Array | null;
      this.point(leaf(s), s, Ws, Is);
      into = cur;
    }
    const Wu = this.pW[into] as Float64Array;
    const Iu = this.pI[into] as Float64Array | null;
    this.lastT = Number.NaN; // Wu is being overwritten
    this.point(leaf(u), u, Wu, Iu);
    this.lastT = u;
    this.cur = into;
    DyadicCore.difference(this.n, s, u, Ws, Is, Wu, Iu, W, H);
  }

  /**
   * True when the descent for the point `r` stops at a node split at `t` (its left child ends at `r`):
   * the node that ends at `r` already holds W(r), so nothing deeper is sampled for it.
   */
  static stopsAt(r: number, t: number): boolean {
    return r === t;
  }

  /** Increment (and H) over [s, u] from the points' (W, I). */
  static difference(
    n: number,
    s: number,
    u: number,
    Ws: Float64Array,
    Is: Float64Array | null,
    Wu: Float64Array,
    Iu: Float64Array | null,
    W: Float64Array,
    H: Float64Array | null,
  ): void {
    for (let i = 0; i < n; i++) W[i] = (Wu[i] as number) - (Ws[i] as number);
    if (H && Is && Iu) {
      const h = u - s;
      const inv = 1 / h;
      const half = 0.5 * h;
      for (let i = 0; i < n; i++) {
        H[i] = ((Iu[i] as number) - (Is[i] as number) - half * ((Ws[i] as number) + (Wu[i] as number))) * inv;
      }
    }
  }
}
