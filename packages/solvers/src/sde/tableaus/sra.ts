/**
 * Stochastic Runge–Kutta tableaux in Rößler's SRA form (SIAM J. Numer. Anal. 48(3), 2010) for
 * additive noise, laid out as torchsde's `tableaus/sra*.py` (and diffrax's `SRA1`). One stepper
 * ({@link SRA1}'s class) drives them all. With I = ΔW and I₀/h = H + ½ΔW (H the space-time Lévy area):
 *
 *   H_s = y0 + Σ_j a0[s][j] h f_j + Σ_j b0[s][j] g_j I₀/h,   f_s = f(t0 + c0[s] h, H_s),   g_j = g(t0 + c1[j] h)
 *   y1  = y0 + Σ_s alpha[s] h f_s + Σ_s g_s (beta1[s] I + beta2[s] I₀/h)
 */

/** A stochastic Runge–Kutta tableau in Rößler's SRA form. */
export interface SraTableau {
  /** Drift stage times as fractions of the step. */
  readonly c0: readonly number[];
  /** Diffusion evaluation times as fractions of the step (additive noise: g depends on t only). */
  readonly c1: readonly number[];
  /** Drift-stage coefficients of `h·f_j` (row `s` has `s` entries). */
  readonly a0: readonly (readonly number[])[];
  /** Drift-stage coefficients of `g_j · I₀/h` (row `s` has `s` entries). */
  readonly b0: readonly (readonly number[])[];
  /** Update weights of `h·f_s`. */
  readonly alpha: readonly number[];
  /** Update weights of `g_s · ΔW`. */
  readonly beta1: readonly number[];
  /** Update weights of `g_s · I₀/h`. */
  readonly beta2: readonly number[];
  /** Weights of `h·f_s` in the embedded error estimate (optional: without them the method takes fixed steps only). */
  readonly alphaError?: readonly number[];
}

/** The SRA1 tableau (2 stages, strong order 1.5 for additive noise), with diffrax's embedded error. */
export const SRA1_TABLEAU: SraTableau = {
  c0: [0, 3 / 4],
  c1: [1, 0],
  a0: [[], [3 / 4]],
  b0: [[], [3 / 2]],
  alpha: [1 / 3, 2 / 3],
  beta1: [1, 0],
  beta2: [-1, 1],
  alphaError: [-2 / 3, 2 / 3],
};
