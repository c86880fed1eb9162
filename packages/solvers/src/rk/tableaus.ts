/**
 * Every explicit Runge–Kutta method as data. One generic stepper ({@link ExplicitRK}) runs them all,
 * so adding a method is adding a tableau here.
 *
 * Conventions: stage `i` evaluates `f(t0 + c[i] h, y0 + h Σ_j a[i][j] k_j)`; the solution is
 * `y1 = y0 + h Σ b_i k_i`; the error estimate is `h Σ bError_i k_i` (solution minus embedded).
 * A tableau is FSAL when its last stage is `f(t1, y1)` (c = 1 and that row of `a` equals `b`):
 * that stage is then reused as the first stage of the next step.
 */

/** Dense output given as polynomials: `y(t0 + θh) = y0 + h Σ_i b_i(θ) k_i`. */
export interface PolynomialDense {
  /** `coeffs[i][p]` multiplies θ^(p+1) in `b_i(θ)`. */
  readonly coeffs: readonly (readonly number[])[];
  /** Order of the interpolant. */
  readonly order: number;
}

/** A Butcher tableau with optional embedded error weights and dense output. */
export interface ButcherTableau {
  /** Method name, as accepted by `odeint(…, { method })`. */
  readonly name: string;
  /** Nodes; `c[0] = 0`. */
  readonly c: readonly number[];
  /** Strictly lower-triangular coefficients; row `i` has `i` entries (row 0 is empty). */
  readonly a: readonly (readonly number[])[];
  /** Solution weights. */
  readonly b: readonly number[];
  /** Error weights `b - b̂` (absent: no error estimate, fixed steps only). */
  readonly bError?: readonly number[];
  /** Order of the solution. */
  readonly order: number;
  /** Order of the embedded method (sets the step-size exponent `1 / (errorOrder + 1)`). */
  readonly errorOrder?: number;
  /** Method-specific dense output; without it, cubic Hermite is used. */
  readonly dense?: PolynomialDense;
  /** Where the coefficients come from. */
  readonly reference: string;
}

const row = (...x: number[]): readonly number[] => x;

/** Forward Euler: order 1. */
export const euler: ButcherTableau = {
  name: 'euler',
  c: [0],
  a: [[]],
  b: [1],
  order: 1,
  reference: 'Euler (1768).',
};

/** Explicit midpoint: order 2. */
export const midpoint: ButcherTableau = {
  name: 'midpoint',
  c: [0, 1 / 2],
  a: [[], row(1 / 2)],
  b: [0, 1],
  order: 2,
  reference: 'Runge (1895).',
};

/** Heun's method (explicit trapezoid) with Euler embedded: order 2(1). */
export const heun: ButcherTableau = {
  name: 'heun',
  c: [0, 1],
  a: [[], row(1)],
  b: [1 / 2, 1 / 2],
  bError: [1 / 2 - 1, 1 / 2],
  order: 2,
  errorOrder: 1,
  reference: 'Heun (1900).',
};

/** Ralston's second-order method (minimum error bound): order 2. */
export const ralston: ButcherTableau = {
  name: 'ralston',
  c: [0, 2 / 3],
  a: [[], row(2 / 3)],
  b: [1 / 4, 3 / 4],
  order: 2,
  reference: 'Ralston, Math. Comp. 16 (1962) 431–437.',
};

/** The classic fourth-order Runge–Kutta method. */
export const rk4: ButcherTableau = {
  name: 'rk4',
  c: [0, 1 / 2, 1 / 2, 1],
  a: [[], row(1 / 2), row(0, 1 / 2), row(0, 0, 1)],
  b: [1 / 6, 1 / 3, 1 / 3, 1 / 6],
  order: 4,
  reference: 'Kutta (1901).',
};

/** Kutta's 3/8 rule: order 4. */
export const rk38: ButcherTableau = {
  name: 'rk38',
  c: [0, 1 / 3, 2 / 3, 1],
  a: [[], row(1 / 3), row(-1 / 3, 1), row(1, -1, 1)],
  b: [1 / 8, 3 / 8, 3 / 8, 1 / 8],
  order: 4,
  reference: 'Kutta (1901), the 3/8 rule.',
};

/** Bogacki–Shampine 3(2), FSAL. */
export const bosh3: ButcherTableau = {
  name: 'bosh3',
  c: [0, 1 / 2, 3 / 4, 1],
  a: [[], row(1 / 2), row(0, 3 / 4), row(2 / 9, 1 / 3, 4 / 9)],
  b: [2 / 9, 1 / 3, 4 / 9, 0],
  bError: [2 / 9 - 7 / 24, 1 / 3 - 1 / 4, 4 / 9 - 1 / 3, -1 / 8],
  order: 3,
  errorOrder: 2,
  reference: 'Bogacki & Shampine, Appl. Math. Lett. 2 (1989) 321–325.',
};

const dopri5B = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
/** Weights of y(t0 + h/2) (Shampine), from which dopri5's quartic interpolant is fitted. */
const dopri5Mid = [
  6025192743 / 30085553152 / 2,
  0,
  51252292925 / 65400821598 / 2,
  -2691868925 / 45128329728 / 2,
  187940372067 / 1594534317056 / 2,
  -1776094331 / 19743644256 / 2,
  11237099 / 235043384 / 2,
];

/**
 * Quartic through y0, y1, y(½) with end slopes f0 = k_0 and f1 = k_last, written as
 * polynomials b_i(θ) (the interpolant torchdiffeq and diffrax use for dopri5).
 */
function quarticFromMidpoint(b: readonly number[], mid: readonly number[]): PolynomialDense {
  const s = b.length;
  // p(θ) - y0 = h (a1 θ + a2 θ² + a3 θ³ + a4 θ⁴), per stage weight. Conditions:
  // a1 = f0; a1+a2+a3+a4 = Σb; a1+2a2+3a3+4a4 = f1; a1/2+a2/4+a3/8+a4/16 = Σmid.
  const coeffs = Array.from({ length: s }, (_, i) => {
    const f0 = i === 0 ? 1 : 0;
    const f1 = i === s - 1 ? 1 : 0;
    const a1 = f0;
    const r1 = (b[i] as number) - a1;
    const r2 = f1 - a1;
    const r3 = (mid[i] as number) - a1 / 2;
    // Solve [1 1 1; 2 3 4; 1/4 1/8 1/16] [a2 a3 a4] = [r1 r2 r3] (Cramer's rule on a fixed matrix).
    const m = [
      [1, 1, 1],
      [2, 3, 4],
      [1 / 4, 1 / 8, 1 / 16],
    ] as const;
    const det3 = (q: readonly (readonly number[])[]): number =>
      q[0]![0]! * (q[1]![1]! * q[2]![2]! - q[1]![2]! * q[2]![1]!) -
      q[0]![1]! * (q[1]![0]! * q[2]![2]! - q[1]![2]! * q[2]![0]!) +
      q[0]![2]! * (q[1]![0]! * q[2]![1]! - q[1]![1]! * q[2]![0]!);
    const d = det3(m);
    const rhs = [r1, r2, r3];
    const solveCol = (col: number): number => det3(m.map((r, k) => r.map((v, j) => (j === col ? (rhs[k] as number) : v)))) / d;
    return [a1, solveCol(0), solveCol(1), solveCol(2)];
  });
  return { coeffs, order: 4 };
}

/** Dormand–Prince 5(4), FSAL, with Shampine's quartic dense output. */
export const dopri5: ButcherTableau = {
  name: 'dopri5',
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    row(1 / 5),
    row(3 / 40, 9 / 40),
    row(44 / 45, -56 / 15, 32 / 9),
    row(19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    row(9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    row(35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
  ],
  b: dopri5B,
  bError: [
    35 / 384 - 1951 / 21600,
    0,
    500 / 1113 - 22642 / 50085,
    125 / 192 - 451 / 720,
    -2187 / 6784 - -12231 / 42400,
    11 / 84 - 649 / 6300,
    -1 / 60,
  ],
  order: 5,
  errorOrder: 4,
  dense: quarticFromMidpoint(dopri5B, dopri5Mid),
  reference: 'Dormand & Prince, J. Comp. Appl. Math. 6 (1980) 19–26; dense output: Shampine, Math. Comp. 46 (1986) 135–150.',
};

/** Expand a product of linear factors `scale * θ^2 * Π (θ - r)` (or given quadratics) into θ^1.. coefficients. */
function poly(scale: number, factors: readonly (readonly number[])[]): number[] {
  // factors are polynomials lowest-degree first; start from `scale`.
  let p = [scale];
  for (const f of factors) {
    const out = new Array<number>(p.length + f.length - 1).fill(0);
    p.forEach((pv, i) => f.forEach((fv, j) => (out[i + j] = (out[i + j] as number) + pv * fv)));
    p = out;
  }
  // drop the constant term (always 0: every b_i(0) = 0)
  return p.slice(1);
}

/** Tsitouras 5(4), FSAL, with its own fifth-order-accurate interpolant. */
export const tsit5: ButcherTableau = {
  name: 'tsit5',
  c: [0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1],
  a: [
    [],
    row(0.161),
    row(-0.008480655492356989, 0.335480655492357),
    row(2.897153057105493, -6.359448489975075, 4.3622954328695815),
    row(5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525),
    row(5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383),
    row(0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774),
  ],
  b: [0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774, 0],
  bError: [
    0.09646076681806523 - 0.09468075576583945,
    0.01 - 0.009183565540343254,
    0.4798896504144996 - 0.4877705284247616,
    1.379008574103742 - 1.234297566930479,
    -3.290069515436081 + 2.7077123499835256,
    2.324710524099774 - 1.866628418170587,
    -1 / 66,
  ],
  order: 5,
  errorOrder: 4,
  dense: {
    order: 4,
    coeffs: [
      poly(-1.0530884977290216, [
        [0, 1],
        [-1.3299890189751412, 1],
        [0.7139816917074209, -1.4364028541716351, 1],
      ]),
      poly(0.1017, [
        [0, 0, 1],
        [1.2949852507374631, -2.1966568338249754, 1],
      ]),
      poly(2.490627285651252793, [
        [0, 0, 1],
        [1.57803468208092486, -2.38535645472061657, 1],
      ]),
      poly(-16.54810288924490272, [
        [-1.21712927295533244, 1],
        [-0.61620406037800089, 1],
        [0, 0, 1],
      ]),
      poly(47.37952196281928122, [
        [-1.203071208372362603, 1],
        [-0.658047292653547382, 1],
        [0, 0, 1],
      ]),
      poly(-34.87065786149660974, [
        [-1.2, 1],
        [-0.666666666666666667, 1],
        [0, 0, 1],
      ]),
      poly(2.5, [
        [-1, 1],
        [-0.6, 1],
        [0, 0, 1],
      ]),
    ],
  },
  reference: 'Tsitouras, Comput. Math. Appl. 62 (2011) 770–775 (coefficients and interpolant as in diffrax/OrdinaryDiffEq).',
};

const dopri8B = [
  14005451 / 335480064,
  0,
  0,
  0,
  0,
  -59238493 / 1068277825,
  181606767 / 758867731,
  561292985 / 797845732,
  -1041891430 / 1371343529,
  760417239 / 1151165299,
  118820643 / 751138087,
  -528747749 / 2220607170,
  1 / 4,
  0,
];
const dopri8BHat = [
  13451932 / 455176623,
  0,
  0,
  0,
  0,
  -808719846 / 976000145,
  1757004468 / 5645159321,
  656045339 / 265891186,
  -3867574721 / 1518517206,
  465885868 / 322736535,
  53011238 / 667516719,
  2 / 45,
  0,
  0,
];
/** Bogacki–Shampine interpolant of dopri8: b_i(θ) = θ · polyval(row_i, θ) (rows highest degree first). */
const dopri8InterpRows: readonly (readonly number[])[] = [
  [-6.3448349392860401388, 22.1396504998094068976, -30.0610568289666450593, 19.999006933368397061, -6.6910181737837595697, 1],
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [-39.6107919852202505218, 116.4422149550342161651, -121.4999627731334642623, 52.227353279294552405, -7.6142658045872677172, 0],
  [20.3761213808791436958, -67.1451318825957197185, 83.1721004639847717481, -46.8919164181093621583, 10.7281392630428866124, 0],
  [7.3347098826795362023, -16.5672243527496524646, 9.5724507555993664382, -0.1890893225010595467, 0.5526637063753648783, 0],
  [32.8801774352459155182, -89.9916014847245016028, 87.8406057677205645007, -35.7075975946222072821, 4.2186562625665153803, 0],
  [-10.1588990526426760954, 22.6237489648532849093, -17.4152107770762969005, 6.273644808324035216, -0.6627209125361597559, 0],
  [-12.54012680987825612, 32.2362340167355370113, -28.5903289514790976966, 10.3160881272450748458, -1.2636789001135462218, 0],
  [29.5553001484516038033, -82.1020315488359848644, 81.6630950584341412934, -34.7650769866611817349, 5.410603789859042223, 0],
  [-41.7923486424390588923, 116.2662185791119533462, -114.937529137700941817, 47.7457971078225540396, -7.0321379067945741781, 0],
  [20.3006925822100825485, -53.9020777466385396792, 50.2558364226176017553, -19.0082099341608028453, 2.3537586759714983486, 0],
];

/** Dormand–Prince 8(7), FSAL (14 stages), with the Bogacki–Shampine seventh-order interpolant. */
export const dopri8: ButcherTableau = {
  name: 'dopri8',
  c: [0, 1 / 18, 1 / 12, 1 / 8, 5 / 16, 3 / 8, 59 / 400, 93 / 200, 5490023248 / 9719169821, 13 / 20, 1201146811 / 1299019798, 1, 1, 1],
  a: [
    [],
    row(1 / 18),
    row(1 / 48, 1 / 16),
    row(1 / 32, 0, 3 / 32),
    row(5 / 16, 0, -75 / 64, 75 / 64),
    row(3 / 80, 0, 0, 3 / 16, 3 / 20),
    row(29443841 / 614563906, 0, 0, 77736538 / 692538347, -28693883 / 1125000000, 23124283 / 1800000000),
    row(16016141 / 946692911, 0, 0, 61564180 / 158732637, 22789713 / 633445777, 545815736 / 2771057229, -180193667 / 1043307555),
    row(
      39632708 / 573591083,
      0,
      0,
      -433636366 / 683701615,
      -421739975 / 2616292301,
      100302831 / 723423059,
      790204164 / 839813087,
      800635310 / 3783071287,
    ),
    row(
      246121993 / 1340847787,
      0,
      0,
      -37695042795 / 15268766246,
      -309121744 / 1061227803,
      -12992083 / 490766935,
      6005943493 / 2108947869,
      393006217 / 1396673457,
      123872331 / 1001029789,
    ),
    row(
      -1028468189 / 846180014,
      0,
      0,
      8478235783 / 508512852,
      1311729495 / 1432422823,
      -10304129995 / 1701304382,
      -48777925059 / 3047939560,
      15336726248 / 1032824649,
      -45442868181 / 3398467696,
      3065993473 / 597172653,
    ),
    row(
      185892177 / 718116043,
      0,
      0,
      -3185094517 / 667107341,
      -477755414 / 1098053517,
      -703635378 / 230739211,
      5731566787 / 1027545527,
      5232866602 / 850066563,
      -4093664535 / 808688257,
      3962137247 / 1805957418,
      65686358 / 487910083,
    ),
    row(
      403863854 / 491063109,
      0,
      0,
      -5068492393 / 434740067,
      -411421997 / 543043805,
      652783627 / 914296604,
      11173962825 / 925320556,
      -13158990841 / 6184727034,
      3936647629 / 1978049680,
      -160528059 / 685178525,
      248638103 / 1413531060,
      0,
    ),
    row(...dopri8B.slice(0, 13)),
  ],
  b: dopri8B,
  bError: dopri8B.map((bi, i) => bi - (dopri8BHat[i] as number)),
  order: 8,
  errorOrder: 7,
  dense: { order: 7, coeffs: dopri8InterpRows.map((r) => [...r].reverse()) },
  reference:
    'Prince & Dormand, J. Comp. Appl. Math. 7 (1981) 67–75; interpolant: Bogacki & Shampine, Comput. Math. Appl. 20 (1990) 15–24 (as in diffrax).',
};

/** Every built-in tableau by name. */
export const TABLEAUS = { euler, midpoint, heun, ralston, rk4, rk38, bosh3, dopri5, tsit5, dopri8 } as const;

/** Names accepted as `method`. */
export type TableauName = keyof typeof TABLEAUS;
