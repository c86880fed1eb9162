/** Float64 host linear algebra for analytic references (small dense matrices, row-major number[][]). */
export type Mat = number[][];

export const eye = (n: number): Mat => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
export const matmul = (a: Mat, b: Mat): Mat =>
  a.map((row) => (b[0] as number[]).map((_, j) => row.reduce((s, v, k) => s + v * ((b[k] as number[])[j] as number), 0)));
export const add = (a: Mat, b: Mat): Mat => a.map((r, i) => r.map((v, j) => v + ((b[i] as number[])[j] as number)));
export const scale = (s: number, a: Mat): Mat => a.map((r) => r.map((v) => v * s));
export const transpose = (a: Mat): Mat => (a[0] as number[]).map((_, j) => a.map((r) => r[j] as number));

/** Matrix exponential by scaling and squaring with a 30-term Taylor series (float64). */
export function expm(a: Mat): Mat {
  const norm = Math.max(...a.map((r) => r.reduce((s, v) => s + Math.abs(v), 0)));
  const k = Math.max(0, Math.ceil(Math.log2(norm + 1e-300)) + 4);
  const as = scale(2 ** -k, a);
  let term = eye(a.length);
  let sum = eye(a.length);
  for (let i = 1; i <= 30; i++) {
    term = scale(1 / i, matmul(term, as));
    sum = add(sum, term);
  }
  for (let i = 0; i < k; i++) sum = matmul(sum, sum);
  return sum;
}

/** Fréchet derivative of expm at A in direction E (block-matrix trick). */
export function expmFrechet(a: Mat, e: Mat): Mat {
  const n = a.length;
  const big: Mat = Array.from({ length: 2 * n }, (_, i) =>
    Array.from({ length: 2 * n }, (_, j) =>
      i < n && j < n
        ? ((a[i] as number[])[j] as number)
        : i >= n && j >= n
          ? ((a[i - n] as number[])[j - n] as number)
          : i < n && j >= n
            ? ((e[i] as number[])[j - n] as number)
            : 0,
    ),
  );
  const x = expm(big);
  return x.slice(0, n).map((r) => r.slice(n));
}

/** ‖a − b‖ / ‖b‖ over flat arrays. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += ((a[i] as number) - (b[i] as number)) ** 2;
    den += (b[i] as number) ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}
