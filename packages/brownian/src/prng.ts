/**
 * Counter-based, splittable random numbers: Threefry-2x32 with 20 rounds (Salmon et al. 2011,
 * "Parallel random numbers: as easy as 1, 2, 3"), the generator JAX uses.
 *
 * A {@link Key} is two uint32 words. Numbers are a pure function of `(key, counter)`, computed on the
 * host in exact 32-bit integer arithmetic (add / xor / rotate only), so the same key gives the same
 * numbers on every tfjs backend, machine and run. Derive new keys with {@link split} or {@link fold};
 * as in JAX, use a key either to sample or to derive keys, not both.
 *
 * @example
 * ```ts
 * import { key, split, normal } from '@nde/brownian';
 * const [k1, k2] = split(key(0));
 * const x = normal(k1, [4, 3]);   // float32 tensor, identical on cpu, wasm, webgpu
 * x.dispose();
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';

/** A PRNG key: two uint32 words `[hi, lo]`. */
export type Key = readonly [number, number];

const PARITY = 0x1bd11bda;
const TWO32 = 4294967296;
const INV32 = 1 / TWO32;

// Outputs of the last threefry call (module scratch: avoids an allocation per block).
const OUT = new Int32Array(2);

/**
 * One Threefry-2x32 block with 20 rounds on int32-represented words. Result in `OUT[0]`, `OUT[1]`
 * (as int32; use `>>> 0` for uint32). Unrolled for speed.
 * @internal
 */
function block(k0: number, k1: number, x0: number, x1: number): void {
  const k2 = k0 ^ k1 ^ PARITY;
  x0 = (x0 + k0) | 0;
  x1 = (x1 + k1) | 0;
  // rounds 1-4: rotations 13, 15, 26, 6
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 1) | 0;
  // rounds 5-8: rotations 17, 29, 16, 24
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 17) | (x1 >>> 15);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 29) | (x1 >>> 3);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 16) | (x1 >>> 16);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 24) | (x1 >>> 8);
  x1 ^= x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 2) | 0;
  // rounds 9-12
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k0) | 0;
  x1 = (x1 + k1 + 3) | 0;
  // rounds 13-16
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 17) | (x1 >>> 15);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 29) | (x1 >>> 3);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 16) | (x1 >>> 16);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 24) | (x1 >>> 8);
  x1 ^= x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 4) | 0;
  // rounds 17-20
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  OUT[0] = x0 + k2;
  OUT[1] = x1 + k0 + 5;
}

function checkWord(argument: string, w: number): void {
  if (!(Number.isInteger(w) && w >= 0 && w < TWO32)) {
    throw new InvalidArgumentError(argument, `must hold uint32 words (got ${String(w)}).`, 'Make keys with key(seed), split or fold.');
  }
}

function checkKey(argument: string, k: Key): void {
  if (!Array.isArray(k) || k.length !== 2) {
    throw new InvalidArgumentError(argument, 'must be a key: two uint32 words.', 'Make keys with key(seed), split or fold.');
  }
  checkWord(argument, k[0]);
  checkWord(argument, k[1]);
}

function checkCount(argument: string, n: number): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= 2 ** 32)) {
    throw new InvalidArgumentError(argument, `must be an integer in [0, 2^32] (got ${String(n)}).`);
  }
}

/**
 * The raw Threefry-2x32 (20 rounds) block function: encrypt `counter` under `k`.
 * Exposed for known-answer tests and interop with other Threefry implementations.
 *
 * @param k - the key (two uint32 words).
 * @param counter - the counter (two uint32 words).
 * @returns the two uint32 output words.
 * @example
 * ```ts
 * threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3]); // [0xc4923a9c, 0x483df7a0]
 * ```
 */
export function threefry2x32(k: Key, counter: readonly [number, number]): [number, number] {
  checkKey('key', k);
  checkWord('counter', counter[0]);
  checkWord('counter', counter[1]);
  block(k[0] | 0, k[1] | 0, counter[0] | 0, counter[1] | 0);
  return [(OUT[0] as number) >>> 0, (OUT[1] as number) >>> 0];
}

/**
 * A key from an integer seed, as JAX's `PRNGKey(seed)`: `[hi, lo]` 32-bit words of the seed
 * (two's complement for negative seeds).
 *
 * @param seed - a safe integer.
 * @throws {@link @nde/core!InvalidArgumentError} when `seed` is not a safe integer.
 * @example
 * ```ts
 * key(0);   // [0, 0]
 * key(42);  // [0, 42]
 * ```
 */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError('seed', `must be a safe integer (got ${String(seed)}).`);
  }
  return [Math.floor(seed / TWO32) >>> 0, seed >>> 0];
}

/**
 * Split a key into `n` independent keys (same scheme as JAX's original Threefry split:
 * counters `0 … 2n-1`, so `split(key(0))` equals `jax.random.split(PRNGKey(0))`).
 *
 * @param k - the key to split (do not use it again to sample).
 * @param n - how many keys (default 2).
 * @example
 * ```ts
 * const [a, b, c] = split(key(1), 3);
 * ```
 */
export function split(k: Key, n = 2): Key[] {
  checkKey('key', k);
  checkCount('n', n);
  const words = new Array<number>(2 * n);
  const k0 = k[0] | 0;
  const k1 = k[1] | 0;
  for (let i = 0; i < n; i++) {
    block(k0, k1, i, n + i);
    words[i] = (OUT[0] as number) >>> 0;
    words[n + i] = (OUT[1] as number) >>> 0;
  }
  const keys: Key[] = [];
  for (let j = 0; j < n; j++) keys.push([words[2 * j] as number, words[2 * j + 1] as number]);
  return keys;
}

/**
 * Fold a 32-bit integer into a key (JAX's `fold_in`): a new key that depends on `k` and `data`.
 * Use it to derive per-item keys (`fold(k, step)`) without splitting.
 *
 * @param k - the key.
 * @param data - an integer; taken modulo 2^32.
 * @example
 * ```ts
 * const perStep = Array.from({ length: 10 }, (_, i) => fold(key(0), i));
 * ```
 */
export function fold(k: Key, data: number): Key {
  checkKey('key', k);
  if (!Number.isSafeInteger(data)) throw new InvalidArgumentError('data', `must be a safe integer (got ${String(data)}).`);
  block(k[0] | 0, k[1] | 0, 0, data | 0);
  return [(OUT[0] as number) >>> 0, (OUT[1] as number) >>> 0];
}

/** @internal Fold without validation, returning int32 words into `dst`. */
export function foldRaw(k0: number, k1: number, data: number, dst: Int32Array): void {
  block(k0, k1, 0, data | 0);
  dst[0] = OUT[0] as number;
  dst[1] = OUT[1] as number;
}

/**
 * `n` uniform numbers in the open interval (0, 1), 32 random bits each (`(bits + 0.5) / 2^32`).
 * Element `i` depends only on `(key, i)`: `uniformArray(k, n)` is a prefix of `uniformArray(k, n + 1)`.
 *
 * @param k - the key
 * @param n - how many numbers
 * @example
 * ```ts
 * const u = uniformArray(key(3), 1000); // Float64Array, every value in (0, 1)
 * ```
 */
export function uniformArray(k: Key, n: number): Float64Array {
  checkKey('key', k);
  checkCount('n', n);
  const out = new Float64Array(n);
  const k0 = k[0] | 0;
  const k1 = k[1] | 0;
  const pairs = n >> 1;
  for (let b = 0; b < pairs; b++) {
    block(k0, k1, b, 0);
    out[2 * b] = (((OUT[0] as number) >>> 0) + 0.5) * INV32;
    out[2 * b + 1] = (((OUT[1] as number) >>> 0) + 0.5) * INV32;
  }
  if (n & 1) {
    block(k0, k1, pairs, 0);
    out[n - 1] = (((OUT[0] as number) >>> 0) + 0.5) * INV32;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Standard normals: a 256-layer ziggurat (Marsaglia & Tsang 2000, in the form of Doornik 2005: the layer,
// the sign and the abscissa come from disjoint bits) fed by the Threefry block stream.
//
// Sample `i` of the stream of key `(k0, k1)` is a pure function of `(k0, k1, i)`: its first candidate is
// the 32-bit word `i` of the block stream (block `b = ⌊i/2⌋` at counter `(b, 0)` gives words `2b`, `2b+1`);
// bits 0–7 pick the layer, bit 8 the sign, bits 9–31 the abscissa. About 98.5 % of samples are accepted
// right there (one 32-bit word, one table lookup, one multiply). The rest — wedge tests, the tail beyond
// r, and new candidates after a rejection — draw further words from the sample's own side stream, blocks
// at counters `(i, 1), (i, 2), …`, which no other sample or block uses. So the value of sample `i` does
// not depend on `n`, on other samples, or on how the stream is split into calls.
// ---------------------------------------------------------------------------------------------------

/** Number of ziggurat layers. */
const ZN = 256;
/** Start of the tail (right edge of the base layer's rectangle part). */
const ZR = 3.6541528853610088;
/** Area of each layer (under exp(-x²/2)). */
const ZV = 4.92867323399e-3;
const M23 = 1 / 8388608; // 2^-23
/** Layer right edges: ZX[0] = V / f(r) (the base layer's virtual width), ZX[1] = r, …, ZX[256] = 0. */
const ZX = new Float64Array(ZN + 1);
/** f(ZX[i]) with f(x) = exp(-x²/2); ZF[256] = 1. */
const ZF = new Float64Array(ZN + 1);
/** ±ZX[i] · 2^-23, indexed by the low 9 bits (layer, then sign): abscissa per unit of the 23-bit mantissa. */
const ZW = new Float64Array(2 * ZN);
/** Fast-path bound: mantissa m of layer i is inside the curve iff m < ZT[i] ((m + ½)·ZX[i]·2^-23 < ZX[i+1]). */
const ZT = new Int32Array(ZN);
{
  const f = (x: number): number => Math.exp(-0.5 * x * x);
  ZX[0] = ZV / f(ZR);
  ZX[1] = ZR;
  for (let i = 1; i < ZN - 1; i++) ZX[i + 1] = Math.sqrt(-2 * Math.log(ZV / (ZX[i] as number) + f(ZX[i] as number)));
  ZX[ZN] = 0;
  for (let i = 0; i <= ZN; i++) ZF[i] = i === ZN ? 1 : f(ZX[i] as number);
  for (let i = 0; i < ZN; i++) {
    ZW[i] = (ZX[i] as number) * M23;
    ZW[ZN + i] = -(ZX[i] as number) * M23;
    ZT[i] = Math.ceil(((ZX[i + 1] as number) / (ZX[i] as number)) * 8388608 - 0.5); // m integer: m < c ⟺ m < ⌈c⌉
  }
}

/** @internal The ziggurat tables, for tests: edges `x`, `f(x)`, layer count, `r` and `v`. */
export function zigguratTables(): { x: Float64Array; f: Float64Array; layers: number; r: number; v: number } {
  return { x: ZX.slice(), f: ZF.slice(), layers: ZN, r: ZR, v: ZV };
}

// Side stream of the sample in the slow path (module scratch: no allocation).
let sideK0 = 0;
let sideK1 = 0;
let sideIdx = 0;
let sideCtr = 0;
let sideHave = 0;

/** Next 32-bit word (as int32) of the current sample's side stream: blocks at counters (idx, 1), (idx, 2), … */
function sideWord(): number {
  if (sideHave === 0) {
    block(sideK0, sideK1, sideIdx, ++sideCtr);
    sideHave = 2;
    return OUT[0] as number;
  }
  sideHave = 0;
  return OUT[1] as number;
}

/** Uniform in (0, 1) from the side stream. */
function sideUniform(): number {
  return ((sideWord() >>> 0) + 0.5) * INV32;
}

/**
 * The ziggurat's slow path for sample `idx` whose first candidate word `w` (int32) was not accepted by
 * the fast test. Returns the standard normal. @internal
 */
export function zigguratSlow(k0: number, k1: number, idx: number, w: number): number {
  sideK0 = k0;
  sideK1 = k1;
  sideIdx = idx;
  sideCtr = 0;
  sideHave = 0;
  for (;;) {
    const i = w & 255;
    const m = w >>> 9;
    const neg = (w & 256) !== 0;
    const x = (m + 0.5) * (ZW[i] as number); // |x|
    if (m < (ZT[i] as number)) return neg ? -x : x; // a later candidate accepted by the fast test
    if (i === 0) {
      // Tail beyond r (Marsaglia 1964): r + e₁/r with e₁, e₂ exponential, accepted when 2e₂ > (e₁/r)².
      let t: number;
      let e: number;
      do {
        t = -Math.log(sideUniform()) / ZR;
        e = -Math.log(sideUniform());
      } while (e + e < t * t);
      return neg ? -(ZR + t) : ZR + t;
    }
    // Wedge: (x, y) uniform in the part of layer i outside the inner rectangle; accept under the curve.
    const f0 = ZF[i] as number;
    if (f0 + sideUniform() * ((ZF[i + 1] as number) - f0) < Math.exp(-0.5 * x * x)) return neg ? -x : x;
    w = sideWord(); // rejected: a new candidate
  }
}

/**
 * Fill `out[offset … offset+n)` with standard normals times `scale`: samples `0 … n-1` of the stream of
 * `(k0, k1)` (ziggurat on the block stream, see above). Prefix-consistent like {@link normalArray}.
 * Threefry's 20 rounds are unrolled here (the hot loop of every Brownian object).
 * @internal
 */
export function fillNormals(k0: number, k1: number, out: Float64Array | Float32Array, n: number, offset = 0, scale = 1): void {
  k0 |= 0;
  k1 |= 0;
  const k2 = k0 ^ k1 ^ PARITY;
  // key injections of x1 after rounds 4, 8, 12, 16, 20
  const j1 = (k2 + 1) | 0;
  const j2 = (k0 + 2) | 0;
  const j3 = (k1 + 3) | 0;
  const j4 = (k2 + 4) | 0;
  const j5 = (k0 + 5) | 0;
  const blocks = (n + 1) >> 1;
  const zt = ZT;
  const zw = ZW;
  for (let b = 0; b < blocks; b++) {
    let x0 = (b + k0) | 0;
    let x1 = k1;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 13) | (x1 >>> 19);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 15) | (x1 >>> 17);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 26) | (x1 >>> 6);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 6) | (x1 >>> 26);
    x1 ^= x0;
    x0 = (x0 + k1) | 0;
    x1 = (x1 + j1) | 0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 17) | (x1 >>> 15);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 29) | (x1 >>> 3);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 16) | (x1 >>> 16);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 24) | (x1 >>> 8);
    x1 ^= x0;
    x0 = (x0 + k2) | 0;
    x1 = (x1 + j2) | 0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 13) | (x1 >>> 19);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 15) | (x1 >>> 17);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 26) | (x1 >>> 6);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 6) | (x1 >>> 26);
    x1 ^= x0;
    x0 = (x0 + k0) | 0;
    x1 = (x1 + j3) | 0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 17) | (x1 >>> 15);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 29) | (x1 >>> 3);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 16) | (x1 >>> 16);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 24) | (x1 >>> 8);
    x1 ^= x0;
    x0 = (x0 + k1) | 0;
    x1 = (x1 + j4) | 0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 13) | (x1 >>> 19);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 15) | (x1 >>> 17);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 26) | (x1 >>> 6);
    x1 ^= x0;
    x0 = (x0 + x1) | 0;
    x1 = (x1 << 6) | (x1 >>> 26);
    x1 ^= x0;
    x0 = (x0 + k2) | 0;
    x1 = (x1 + j5) | 0;
    // word 2b
    const i0 = 2 * b;
    const m0 = x0 >>> 9;
    // the sign sits in the table (bit 8): no unpredictable branch
    out[offset + i0] =
      m0 < (zt[x0 & 255] as number) ? scale * ((m0 + 0.5) * (zw[x0 & 511] as number)) : scale * zigguratSlow(k0, k1, i0, x0);
    if (i0 + 1 === n) break;
    // word 2b + 1
    const m1 = x1 >>> 9;
    out[offset + i0 + 1] =
      m1 < (zt[x1 & 255] as number) ? scale * ((m1 + 0.5) * (zw[x1 & 511] as number)) : scale * zigguratSlow(k0, k1, i0 + 1, x1);
  }
}

/**
 * `n` standard normal numbers (a 256-layer ziggurat on the Threefry word stream; beyond 3.65 standard
 * deviations Marsaglia's exact tail algorithm, out to about 9.9). Element `i` depends only on `(key, i)`.
 *
 * @param k - the key
 * @param n - how many numbers
 * @example
 * ```ts
 * const z = normalArray(key(0), 1_000_000); // Float32Array, ~5–8 ms
 * ```
 */
export function normalArray(k: Key, n: number): Float32Array {
  checkKey('key', k);
  checkCount('n', n);
  const out = new Float32Array(n);
  fillNormals(k[0] | 0, k[1] | 0, out, n);
  return out;
}

/** @internal Validate a tensor shape: integers >= 1. Returns the element count. */
export function shapeSize(argument: string, shape: readonly number[]): number {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(argument, 'must be an array of dimensions, e.g. [batch, m].');
  let size = 1;
  for (const d of shape) {
    if (!(Number.isInteger(d) && d >= 1)) {
      throw new InvalidArgumentError(argument, `must hold positive integer dimensions (got [${shape.join(', ')}]).`);
    }
    size *= d;
  }
  if (size > 2 ** 31) throw new InvalidArgumentError(argument, `has ${size} elements; at most 2^31 are supported.`);
  return size;
}

/**
 * A float32 tensor of standard normals, generated on the host then uploaded: the same numbers on
 * every backend. The caller owns (and disposes) the tensor.
 *
 * @param k - the key.
 * @param shape - the tensor shape (positive integer dimensions; `[]` for a scalar).
 * @throws {@link @nde/core!InvalidArgumentError} for a bad key or shape.
 * @example
 * ```ts
 * const eps = normal(fold(key(0), step), [batch, 2]);
 * ```
 */
export function normal(k: Key, shape: readonly number[]): tf.Tensor {
  const n = shapeSize('shape', shape);
  return tf.tensor(normalArray(k, n), [...shape], 'float32');
}
