/**
 * A process-wide count of device→host reads made by library code outside the solve loop's own read
 * points (the implicit solvers' host linear algebra reads states and Jacobians): the loop takes the
 * difference around each step for `SolveStats.hostReads`. On cpu and wasm a read is free; on GPU
 * backends each one is a round trip.
 */

let reads = 0;

/**
 * Record `n` device→host reads (a `dataSync` or `data` of a tensor each).
 * @param n - how many reads (default 1)
 * @example
 * ```ts
 * const values = x.dataSync();
 * countHostRead();
 * ```
 */
export function countHostRead(n = 1): void {
  reads += n;
}

/**
 * The reads recorded so far (a running total: take differences).
 * @example
 * ```ts
 * const before = hostReadCount(); step(); const made = hostReadCount() - before;
 * ```
 */
export function hostReadCount(): number {
  return reads;
}
