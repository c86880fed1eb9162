/**
 * LU factorisation with partial pivoting, in float64 on the host, for the Newton matrices of the
 * implicit solvers: one dense n×n system, or a batch of independent d×d blocks (a `[B, d]` state
 * whose samples do not interact — the common neural-ODE case — never a `[B·d, B·d]` matrix).
 * tfjs has no LU; on cpu and wasm reading the matrix to the host is free.
 */

/** An LU factorisation of a batch of `blocks` square matrices of size `n` (one block: a dense system). @internal */
export class BlockLU {
  private constructor(
    /** Size of each block. */
    readonly n: number,
    /** Number of blocks. */
    readonly blocks: number,
    private readonly lu: Float64Array,
    private readonly pivots: Int32Array,
  ) {}

  /**
   * Factor `blocks` row-major n×n matrices stored one after another. Returns undefined when a block is
   * singular (a pivot is zero or not finite): the caller treats the step as failed.
   * @param a - the matrices (not modified)
   * @param n - size of each block
   * @param blocks - how many blocks
   */
  static factor(a: Float64Array, n: number, blocks: number): BlockLU | undefined {
    const lu = Float64Array.from(a);
    const pivots = new Int32Array(n * blocks);
    for (let b = 0; b < blocks; b++) {
      const o = b * n * n;
      for (let k = 0; k < n; k++) {
        let p = k;
        let best = Math.abs(lu[o + k * n + k] as number);
        for (let i = k + 1; i < n; i++) {
          const v = Math.abs(lu[o + i * n + k] as number);
          if (v > best) {
            best = v;
            p = i;
          }
        }
        if (!(best > 0) || !Number.isFinite(best)) return undefined;
        pivots[b * n + k] = p;
        if (p !== k) {
          for (let j = 0; j < n; j++) {
            const t = lu[o + k * n + j] as number;
            lu[o + k * n + j] = lu[o + p * n + j] as number;
            lu[o + p * n + j] = t;
          }
        }
        const d = lu[o + k * n + k] as number;
        for (let i = k + 1; i < n; i++) {
          const m = (lu[o + i * n + k] as number) / d;
          lu[o + i * n + k] = m;
          if (m !== 0)
            for (let j = k + 1; j < n; j++) lu[o + i * n + j] = (lu[o + i * n + j] as number) - m * (lu[o + k * n + j] as number);
        }
      }
    }
    return new BlockLU(n, blocks, lu, pivots);
  }

  /**
   * Solve A x = r for every block, in place (r holds the blocks' right-hand sides one after another).
   * @param r - right-hand sides, overwritten with the solutions
   */
  solve(r: Float64Array): Float64Array {
    const { n, lu, pivots } = this;
    for (let b = 0; b < this.blocks; b++) {
      const o = b * n * n;
      const v = b * n;
      for (let k = 0; k < n; k++) {
        const p = pivots[v + k] as number;
        if (p !== k) {
          const t = r[v + k] as number;
          r[v + k] = r[v + p] as number;
          r[v + p] = t;
        }
      }
      for (let i = 1; i < n; i++) {
        let s = r[v + i] as number;
        for (let j = 0; j < i; j++) s -= (lu[o + i * n + j] as number) * (r[v + j] as number);
        r[v + i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = r[v + i] as number;
        for (let j = i + 1; j < n; j++) s -= (lu[o + i * n + j] as number) * (r[v + j] as number);
        r[v + i] = s / (lu[o + i * n + i] as number);
      }
    }
    return r;
  }

  /**
   * Solve Aᵀ x = r for every block, in place (for the implicit-function-theorem gradients).
   * @param r - right-hand sides, overwritten with the solutions
   */
  solveTransposed(r: Float64Array): Float64Array {
    const { n, lu, pivots } = this;
    for (let b = 0; b < this.blocks; b++) {
      const o = b * n * n;
      const v = b * n;
      // Aᵀ = Uᵀ Lᵀ Pᵀ... with P A = L U: Aᵀ x = r ⇔ Uᵀ Lᵀ (P x) = r.
      for (let i = 0; i < n; i++) {
        let s = r[v + i] as number;
        for (let j = 0; j < i; j++) s -= (lu[o + j * n + i] as number) * (r[v + j] as number);
        r[v + i] = s / (lu[o + i * n + i] as number);
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = r[v + i] as number;
        for (let j = i + 1; j < n; j++) s -= (lu[o + j * n + i] as number) * (r[v + j] as number);
        r[v + i] = s;
      }
      for (let k = n - 1; k >= 0; k--) {
        const p = pivots[v + k] as number;
        if (p !== k) {
          const t = r[v + k] as number;
          r[v + k] = r[v + p] as number;
          r[v + p] = t;
        }
      }
    }
    return r;
  }
}
