/** KL annealing schedules: the weight on the KL term as a function of the iteration. */
import { InvalidArgumentError } from '@nde/core';

/** Options of {@link klAnnealing}. */
export interface KLAnnealingOptions {
  /** Iterations over which the weight rises linearly from `start` to 1 (0: no annealing). */
  warmup: number;
  /** Weight at iteration 0 (default 0). */
  start?: number;
}

/**
 * A linear KL warm-up (as in torchsde's latent SDE example): weight(i) = min(1, start + (1 − start)·i/warmup).
 * @param options - Warm-up length in iterations and the starting weight.
 * @returns The schedule: 0-based iteration → KL weight in [start, 1] (negative iterations count as 0).
 * @throws InvalidArgumentError when `warmup` is not an integer ≥ 0 or `start` is outside [0, 1].
 *
 * @example
 * ```ts
 * const klWeight = klAnnealing({ warmup: 200 });
 * klWeight(0);   // 0
 * klWeight(100); // 0.5
 * klWeight(500); // 1
 * ```
 */
export function klAnnealing(options: KLAnnealingOptions): (iteration: number) => number {
  const { warmup } = options;
  const start = options.start ?? 0;
  if (!(Number.isInteger(warmup) && warmup >= 0)) {
    throw new InvalidArgumentError('warmup', `must be an integer ≥ 0 (got ${warmup}).`, 'Use 0 to disable annealing.');
  }
  if (!(start >= 0 && start <= 1)) throw new InvalidArgumentError('start', `must be in [0, 1] (got ${start}).`);
  return (i) => (warmup === 0 ? 1 : Math.min(1, start + ((1 - start) * Math.max(0, i)) / warmup));
}
