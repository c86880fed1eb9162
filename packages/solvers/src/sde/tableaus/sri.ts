/**
 * Stochastic Runge–Kutta tableaux in Rößler's SRI form (SIAM J. Numer. Anal. 48(3), 2010) for Itô
 * SDEs with diagonal or scalar noise, laid out as torchsde's `tableaus/srid*.py`. One stepper
 * ({@link SRK}) drives them all.
 */

/** A stochastic Runge–Kutta tableau in Rößler's SRI form (torchsde's layout). */
export interface SriTableau {
  /** Drift stage times as fractions of the step: stage `s` evaluates `f` at `t0 + c0[s]·h`. */
  readonly c0: readonly number[];
  /** Diffusion stage times as fractions of the step: stage `s` evaluates `g` at `t0 + c1[s]·h`. */
  readonly c1: readonly number[];
  /** Drift-stage coefficients of `h·f_j` (row `s` has `s` entries). */
  readonly a0: readonly (readonly number[])[];
  /** Diffusion-stage coefficients of `h·f_j` (row `s` has `s` entries). */
  readonly a1: readonly (readonly number[])[];
  /** Drift-stage coefficients of `g_j · I₀/h` (row `s` has `s` entries). */
  readonly b0: readonly (readonly number[])[];
  /** Diffusion-stage coefficients of `√h·g_j` (row `s` has `s` entries). */
  readonly b1: readonly (readonly number[])[];
  /** Update weights of the drift stages, `y1 = y0 + Σ_s alpha[s]·h·f_s + …`. */
  readonly alpha: readonly number[];
  /** Update weights of `g_s · ΔW`. */
  readonly beta1: readonly number[];
  /** Update weights of `g_s · I₁₁/√h`, with `I₁₁ = (ΔW² − h)/2`. */
  readonly beta2: readonly number[];
  /** Update weights of `g_s · I₀/h`, with `I₀` the time–Brownian iterated integral (from the Lévy area `H`). */
  readonly beta3: readonly number[];
  /** Update weights of `g_s · I₁₁₁/h`, with `I₁₁₁ = (ΔW³ − 3hΔW)/6`. */
  readonly beta4: readonly number[];
}

/** The SRID2 tableau (4 stages, strong order 1.5 for diagonal noise; torchsde's default `srk`). */
export const SRID2: SriTableau = {
  c0: [0, 1, 1 / 2, 0],
  c1: [0, 1 / 4, 1, 1 / 4],
  a0: [[], [1], [1 / 4, 1 / 4], [0, 0, 0]],
  a1: [[], [1 / 4], [1, 0], [0, 0, 1 / 4]],
  b0: [[], [0], [1, 1 / 2], [0, 0, 0]],
  b1: [[], [-1 / 2], [1, 0], [2, -1, 1 / 2]],
  alpha: [1 / 6, 1 / 6, 2 / 3, 0],
  beta1: [-1, 4 / 3, 2 / 3, 0],
  beta2: [1, -4 / 3, 1 / 3, 0],
  beta3: [2, -4 / 3, -2 / 3, 0],
  beta4: [-2, 5 / 3, -2 / 3, 1],
};
