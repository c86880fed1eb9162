/**
 * ESDIRK tableaux (explicit first stage, singly diagonally implicit, stiffly accurate): one
 * implicit stepper ({@link ImplicitRK}) drives them all, as `ExplicitRK` drives the explicit ones.
 * Coefficients of Kværnø (2004), "Singly diagonally implicit Runge–Kutta methods with an explicit
 * first stage", BIT 44(3), 489–502, as diffrax's Kvaerno3/4/5 state them (γ and the formulas in γ);
 * stage predictors as diffrax and OrdinaryDiffEq.jl use them.
 */

/** An ESDIRK method: stage i solves z_i = y0 + h Σ_{j<i} a[i][j] k_j + h γ f(t0 + c[i] h, z_i). */
export interface EsdirkTableau {
  /** Method name as `solve` accepts it. */
  readonly name: string;
  /** Order of the solution. */
  readonly order: number;
  /** Order of the embedded solution the error estimate compares against. */
  readonly errorOrder: number;
  /** The diagonal coefficient γ of every implicit stage. */
  readonly gamma: number;
  /** Stage times as fractions of the step, c[0] = 0 (the explicit stage). */
  readonly c: readonly number[];
  /** Strictly lower coefficients: row i has i entries (row 0 is empty). */
  readonly a: readonly (readonly number[])[];
  /** Predictor coefficients: the first Newton iterate of stage i is y0 + h Σ_j predictor[i][j] k_j. */
  readonly predictor: readonly (readonly number[])[];
  /** Weights of the error estimate, `yError = h Σ_j bError[j] k_j` (solution minus embedded solution). */
  readonly bError: readonly number[];
  /** Where the coefficients come from. */
  readonly reference: string;
}

const K3 = 0.4358665215;
const k3 = {
  a31: (-4 * K3 ** 2 + 6 * K3 - 1) / (4 * K3),
  a32: (-2 * K3 + 1) / (4 * K3),
  a41: (6 * K3 - 1) / (12 * K3),
  a42: -1 / ((24 * K3 - 12) * K3),
  a43: (-6 * K3 ** 2 + 6 * K3 - 1) / (6 * K3 - 3),
};
const theta3 = 1 / (2 * K3);

/** Kværnø's 3(2) method: A- and L-stable, stiffly accurate, 4 stages with FSAL. */
export const kvaerno3: EsdirkTableau = {
  name: 'kvaerno3',
  order: 3,
  errorOrder: 2,
  gamma: K3,
  c: [0, 2 * K3, 1, 1],
  a: [[], [K3], [k3.a31, k3.a32], [k3.a41, k3.a42, k3.a43]],
  predictor: [[], [1], [1 - theta3, theta3], [k3.a31, k3.a32, K3]],
  bError: [k3.a41 - k3.a31, k3.a42 - k3.a32, k3.a43 - K3, K3],
  reference: 'Kværnø (2004), BIT 44(3); diffrax Kvaerno3',
};

const K4 = 0.5728160625;
const poly = (...cs: number[]): number => cs.reduce((acc, c) => acc * K4 + c, 0);
const k4 = (() => {
  const a31 = (poly(144, -180, 81, -15, 1) * K4) / poly(12, -6, 1) ** 2;
  const a32 = (poly(-36, 39, -15, 2) * K4) / poly(12, -6, 1) ** 2;
  const a41 = poly(-144, 396, -330, 117, -18, 1) / (12 * K4 ** 2 * poly(12, -9, 2));
  const a42 = poly(72, -126, 69, -15, 1) / (12 * K4 ** 2 * poly(3, -1));
  const a43 = (poly(-6, 6, -1) * poly(12, -6, 1) ** 2) / (12 * K4 ** 2 * poly(12, -9, 2) * poly(3, -1));
  const a51 = poly(288, -312, 120, -18, 1) / (48 * K4 ** 2 * poly(12, -9, 2));
  const a52 = poly(24, -12, 1) / (48 * K4 ** 2 * poly(3, -1));
  const a53 = -(poly(12, -6, 1) ** 3) / (48 * K4 ** 2 * poly(3, -1) * poly(12, -9, 2) * poly(6, -6, 1));
  const a54 = poly(-24, 36, -12, 1) / poly(24, -24, 4);
  const c2 = 2 * K4;
  const c3 = K4 + a31 + a32;
  const t1 = c3 / c2;
  const t2 = (1 - c2) / (c3 - c2);
  return { a31, a32, a41, a42, a43, a51, a52, a53, a54, c2, c3, t1, t2 };
})();

/** Kværnø's 4(3) method: A- and L-stable, stiffly accurate, 5 stages with FSAL. */
export const kvaerno4: EsdirkTableau = {
  name: 'kvaerno4',
  order: 4,
  errorOrder: 3,
  gamma: K4,
  c: [0, k4.c2, k4.c3, 1, 1],
  a: [[], [K4], [k4.a31, k4.a32], [k4.a41, k4.a42, k4.a43], [k4.a51, k4.a52, k4.a53, k4.a54]],
  predictor: [[], [1], [1 - k4.t1, k4.t1], [0, 1 - k4.t2, k4.t2], [k4.a41, k4.a42, k4.a43, K4]],
  bError: [k4.a51 - k4.a41, k4.a52 - k4.a42, k4.a53 - k4.a43, k4.a54 - K4, K4],
  reference: 'Kværnø (2004), BIT 44(3); diffrax Kvaerno4 (the 4/3 variant: γ = 0.5728160625, advancing with the last stage)',
};

const K5 = 0.26;
const k5 = {
  a61: 0.13855640231268224,
  a62: 0,
  a63: -0.04245337201752043,
  a64: 0.02446657898003141,
  a65: 0.61943039072480676,
  a71: 0.13659751177640291,
  a72: 0,
  a73: -0.05496908796538376,
  a74: -0.04118626728321046,
  a75: 0.62993304899016403,
  a76: 0.06962479448202728,
};

/** Kværnø's 5(4) method: A- and L-stable, stiffly accurate, 7 stages with FSAL. */
export const kvaerno5: EsdirkTableau = {
  name: 'kvaerno5',
  order: 5,
  errorOrder: 4,
  gamma: K5,
  c: [0, 0.52, 1.230333209967908, 0.8957659843500759, 0.43639360985864756, 1, 1],
  a: [
    [],
    [K5],
    [0.13, 0.84033320996790809],
    [0.22371961478320505, 0.47675532319799699, -0.06470895363112615],
    [0.16648564323248321, 0.1045001884159172, 0.03631482272098715, -0.13090704451073998],
    [k5.a61, k5.a62, k5.a63, k5.a64, k5.a65],
    [k5.a71, k5.a72, k5.a73, k5.a74, k5.a75, k5.a76],
  ],
  predictor: [
    [],
    [1],
    [-1.366025403784441, 2.3660254037844357],
    [-0.19650552613122207, 0.8113579546496623, 0.38514757148155954],
    [0.10375304369958693, 0.937994698066431, -0.04174774176601781, 0],
    [-0.17281112873898072, 0.6235784481025847, 0.5492326806363959, 0, 0],
    [k5.a61, k5.a62, k5.a63, k5.a64, k5.a65, K5],
  ],
  bError: [k5.a71 - k5.a61, k5.a72 - k5.a62, k5.a73 - k5.a63, k5.a74 - k5.a64, k5.a75 - k5.a65, k5.a76 - K5, K5],
  reference: 'Kværnø (2004), BIT 44(3); diffrax Kvaerno5',
};

/** The built-in ESDIRK tableaux by name. */
export const ESDIRK_TABLEAUS = { kvaerno3, kvaerno4, kvaerno5 } as const;
