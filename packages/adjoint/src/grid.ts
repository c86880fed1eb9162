/** Step-grid helpers shared by the adjoints. */

/**
 * The grid points strictly between `from` and `to`, ordered from `from` towards `to`, with both
 * ends: the steps a backward (or replayed) solve takes over [to, from].
 *
 * @example
 * ```ts
 * gridBetweenPoints([0, 0.3, 0.7, 1], 1, 0.2); // [1, 0.7, 0.3, 0.2]
 * ```
 *
 * @internal
 */
export function gridBetweenPoints(grid: readonly number[], from: number, to: number): number[] {
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const inner = grid.filter((t) => t > lo && t < hi).sort((a, b) => a - b);
  return [from, ...(to > from ? inner : inner.reverse()), to];
}

/** Index of the grid point equal (to 1e-9 relative) to `t`, or −1. @internal */
export function gridIndex(grid: readonly number[], t: number): number {
  const span = Math.abs((grid[grid.length - 1] as number) - (grid[0] as number)) || 1;
  return grid.findIndex((g) => Math.abs(g - t) <= 1e-9 * span);
}
