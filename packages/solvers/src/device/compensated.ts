/**
 * Time on the device as a compensated float32 pair `hi + lo` (double-float arithmetic, Dekker 1971;
 * Knuth's TwoSum). float32 alone resolves 1 + 6e-8: after 10⁵ steps of 1e-5 plain accumulation is
 * off by ~1 %. The pair carries about 48 bits; each addition rounds the low part to float32, so n
 * steps drift by at most n · 2⁻⁴⁹ |t| (1e5 steps: ~2e-10 relative). Every tfjs op is its own
 * kernel, so no compiler can re-associate the error terms away (each intermediate is rounded to
 * float32 in memory).
 */
import * as tf from '@tensorflow/tfjs';

/** A time (or times, one per lane) as hi + lo, both float32 tensors of the same shape. */
export interface CompensatedTime {
  /** The float32 nearest the time. */
  readonly hi: tf.Tensor;
  /** The rounding error of `hi` (|lo| ≤ ulp(hi) / 2). */
  readonly lo: tf.Tensor;
}

/** The pair nearest a float64 number: hi = fround(x), lo = fround(x - hi). */
export function splitNumber(x: number): [number, number] {
  const hi = Math.fround(x);
  return [hi, Math.fround(x - hi)];
}

/** The pairs of host numbers, as `[n]` tensors. */
export function compensatedOf(xs: readonly number[]): CompensatedTime {
  const parts = xs.map(splitNumber);
  return { hi: tf.tensor1d(parts.map((p) => p[0])), lo: tf.tensor1d(parts.map((p) => p[1])) };
}

/** Back to a float64 number. */
export function joinNumber(hi: number, lo: number): number {
  return hi + lo;
}

/**
 * t + h for a float32 increment h, exact to the pair's precision: TwoSum of the high parts, the
 * low part folded in, renormalised (FastTwoSum).
 */
export function addIncrement(t: CompensatedTime, h: tf.Tensor): CompensatedTime {
  const s = tf.add(t.hi, h);
  const hPart = tf.sub(s, t.hi);
  const err = tf.add(tf.sub(t.hi, tf.sub(s, hPart)), tf.sub(h, hPart));
  const lo = tf.add(t.lo, err);
  const hi = tf.add(s, lo);
  return { hi, lo: tf.sub(lo, tf.sub(hi, s)) };
}

/** (a − t) as one float32 (accurate to float32 rounding of the difference, not of a or t). */
export function difference(a: CompensatedTime, t: CompensatedTime): tf.Tensor {
  return tf.add(tf.sub(a.hi, t.hi), tf.sub(a.lo, t.lo));
}
