/** The `ts` argument of `odeint`/`sdeint`: plain numbers or a 1-D tensor (torchdiffeq's habit), checked once. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';

/** Times as `odeint`/`sdeint` accept them: an array of numbers, or a 1-D tensor (read once, on the host). */
export type Times = readonly number[] | tf.Tensor;

const HINT = 'Pass a monotone array of finite numbers [t0, …, t1] (or a 1-D tensor of them).';

/**
 * Check `ts` as given to `odeint`/`sdeint`: at least one time, finite, monotone from the first to the last (either direction).
 * Returns a plain array (JS doubles).
 *
 * @internal
 */
export function checkTimes(ts: ArrayLike<number> | readonly unknown[] | null | undefined): number[] {
  if (ts === null || ts === undefined || typeof (ts as { length?: unknown }).length !== 'number') {
    throw new InvalidArgumentError('ts', `must be an array of times (got ${ts === null ? 'null' : typeof ts}).`, HINT);
  }
  const out = Array.from(ts as ArrayLike<unknown>, (t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw new InvalidArgumentError('ts', `entry ${i} is not a finite number (${String(t)}).`, HINT);
    return t;
  });
  if (out.length === 0) throw new InvalidArgumentError('ts', 'is empty.', HINT);
  // Monotone in the direction from the first time to the last; repeated times are allowed (each is saved).
  const dir = Math.sign((out[out.length - 1] as number) - (out[0] as number));
  for (let i = 1; i < out.length; i++) {
    const d = Math.sign((out[i] as number) - (out[i - 1] as number));
    if (d !== 0 && d !== dir) {
      throw new InvalidArgumentError(
        'ts',
        `is not monotone ${dir >= 0 ? 'increasing' : 'decreasing'} (entry ${i - 1}: ${out[i - 1]}, entry ${i}: ${out[i]}).`,
        'Sort the times; for a backward solve give them in decreasing order.',
      );
    }
  }
  return out;
}

function assertTimeTensor(ts: tf.Tensor): void {
  if (ts.rank !== 1) throw new InvalidArgumentError('ts', `must be a 1-D tensor (got shape [${ts.shape.join(', ')}]).`, HINT);
}

/** {@link checkTimes} for an array or a tensor, reading the tensor synchronously (cpu, wasm). @internal */
export function readTimesSync(ts: Times): number[] {
  if (ts instanceof tf.Tensor) {
    assertTimeTensor(ts);
    return checkTimes(ts.dataSync());
  }
  return checkTimes(ts);
}

/** {@link checkTimes} for an array or a tensor, reading the tensor with `await data()` (every backend). @internal */
export async function readTimes(ts: Times): Promise<number[]> {
  if (ts instanceof tf.Tensor) {
    assertTimeTensor(ts);
    return checkTimes(await ts.data());
  }
  return checkTimes(ts);
}
