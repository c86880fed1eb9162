import { seededRandom } from '../src/random.js';

/** Standard normal rows `[n][d]` from a seed (Box–Muller). */
export function normalRows(
  n: number,
  d: number,
  seed: number,
  { mean = 0, scale = 1 }: { mean?: number | number[]; scale?: number } = {},
): number[][] {
  const rand = seededRandom(seed);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < d; j++) {
      const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      row.push((Array.isArray(mean) ? (mean[j] as number) : mean) + scale * z);
    }
    out.push(row);
  }
  return out;
}

/** Random SPD matrix with eigenvalues log-spaced from 1 down to 1/cond. */
export function spd(d: number, cond: number, seed: number): number[][] {
  const rand = seededRandom(seed);
  // random orthogonal via Gram–Schmidt
  const q: number[][] = [];
  for (let i = 0; i < d; i++) {
    let v = Array.from({ length: d }, () => rand() - 0.5);
    for (const u of q) {
      const dot = v.reduce((s, x, k) => s + x * (u[k] as number), 0);
      v = v.map((x, k) => x - dot * (u[k] as number));
    }
    const nrm = Math.hypot(...v);
    q.push(v.map((x) => x / nrm));
  }
  const ev = Array.from({ length: d }, (_, i) => Math.pow(cond, -i / Math.max(d - 1, 1)));
  return Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => q.reduce((s, u, i) => s + (ev[i] as number) * (u[a] as number) * (u[b] as number), 0)),
  );
}
