/**
 * `pnpm bench metrics`: the Fréchet distance on 10,000 × 2048 features (the FID setting), side by side with what
 * pytorch-fid does in numpy / scipy (peers/fid_peer.py, Debian /usr/bin/python3, 1 BLAS thread) in the same
 * session. Two workloads: the statistics of one feature set (ours: StreamingMoments, a float32 Gram per 1024-row
 * chunk on tfjs, accumulated in float64; theirs: np.mean + np.cov) and the cross term tr √(Σ₁Σ₂) at d = 2048
 * (ours: traceSqrtProduct's default route, float64 Cholesky + float32 tfjs products + float64 tridiagonal QL;
 * theirs: scipy.linalg.sqrtm(Σ₁ @ Σ₂)). After NDE_METRICS_WARMUP warm-up rounds (default 1), NDE_METRICS_ROUNDS
 * timed rounds (default 5) alternate ours / theirs run by run; rows give both medians, min–max, the ratio
 * (ours / theirs) with its range, and the load average before and after. Ours: wasm. Without /usr/bin/python3 +
 * scipy this prints our figures alone and says no peer ran.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from '@nde/core';
import { StreamingMoments, traceSqrtProduct, type GaussianStats } from '@nde/metrics';
import { JsonLinePeer, loadavg, median, ratioRange, writeResults, type BenchRow } from './harness.js';

const N = 10_000;
const D = 2048;
const ROUNDS = Number(process.env.NDE_METRICS_ROUNDS ?? 5);
const WARMUP = Number(process.env.NDE_METRICS_WARMUP ?? 1);
const PYTHON = '/usr/bin/python3';
const peerScript = fileURLToPath(new URL('../peers/fid_peer.py', import.meta.url));

function startPeer(): JsonLinePeer | string {
  const check = spawnSync(PYTHON, ['-c', 'import scipy.linalg'], { encoding: 'utf8' });
  if (check.error || check.status !== 0) return `no ${PYTHON} with scipy (apt-get install python3-scipy)`;
  return JsonLinePeer.spawn(PYTHON, [peerScript], { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' });
}

function features(seed: number, shift: number): tf.Tensor2D {
  // Correlated Gaussian features: Z·A/√D + shift, A fixed (seed 7) so both sets share a structure.
  return tf.tidy(() => {
    const a = tf.randomNormal([D, D], 0, 1, 'float32', 7).div(Math.sqrt(D));
    const z = tf.randomNormal([N, D], 0, 1, 'float32', seed);
    return tf.matMul(z, a).add(shift) as tf.Tensor2D;
  });
}

async function stats(x: tf.Tensor2D): Promise<GaussianStats> {
  const acc = new StreamingMoments(D);
  for (let s = 0; s < N; s += 2000) {
    const b = x.slice(s, 2000);
    await acc.update(b);
    b.dispose();
  }
  return acc.result();
}

interface Side {
  ms: number[];
  loadBefore?: string;
  loadAfter?: string;
}

export async function run(backends: string[]): Promise<void> {
  const backend = backends.includes('wasm') ? 'wasm' : backends.find((b) => b !== 'cpu');
  if (!backend) {
    console.log('[skip] metrics: cpu only; tfjs-cpu matmul at 2048 is ~100× slower than wasm. Use NDE_BENCH_BACKENDS=wasm');
    return;
  }
  await useBackend(backend as BackendName);
  const peer = startPeer();
  let versions = '';
  if (typeof peer !== 'string') {
    const r = await peer.ask({ cmd: 'setup', n: N, d: D });
    if (r.error) throw new Error(`peer setup failed: ${String(r.error)}`);
    versions = `numpy ${String(r.numpy)}, scipy ${String(r.scipy)}, Python ${String(r.python)}`;
  }
  const x = features(1, 0);
  const y = features(2, 0.1);
  const s1 = await stats(x);
  const s2 = await stats(y);
  let ourTrace = 0;
  let theirTrace = 0;
  const work = {
    stats: {
      ours: async () => {
        const t = performance.now();
        await stats(x);
        return performance.now() - t;
      },
      theirs: 'stats',
    },
    trace: {
      ours: async () => {
        const t = performance.now();
        ourTrace = (await traceSqrtProduct(s1.covariance, s2.covariance)).trace;
        return performance.now() - t;
      },
      theirs: 'trace',
    },
  } as const;
  const timings: Record<keyof typeof work, { ours: Side; theirs: Side }> = {
    stats: { ours: { ms: [] }, theirs: { ms: [] } },
    trace: { ours: { ms: [] }, theirs: { ms: [] } },
  };
  for (let round = -WARMUP; round < ROUNDS; round++) {
    for (const key of ['stats', 'trace'] as const) {
      const t = timings[key];
      if (round === 0) t.ours.loadBefore = loadavg();
      const ms = await work[key].ours();
      if (round >= 0) t.ours.ms.push(ms);
      if (round === ROUNDS - 1) t.ours.loadAfter = loadavg();
      if (typeof peer !== 'string') {
        if (round === 0) t.theirs.loadBefore = loadavg();
        const r = await peer.ask({ cmd: work[key].theirs });
        if (r.error) throw new Error(`peer run failed: ${String(r.error)}`);
        if (key === 'trace') theirTrace = r.trace as number;
        if (round >= 0) t.theirs.ms.push(r.ms as number);
        if (round === ROUNDS - 1) t.theirs.loadAfter = loadavg();
      }
      console.log(
        `round ${round} ${key}: ours ${ms.toFixed(0)} ms${typeof peer === 'string' ? '' : `, theirs ${t.theirs.ms.at(-1)?.toFixed(0)} ms`}`,
      );
    }
  }
  if (typeof peer !== 'string') peer.stop();
  // The all-float64 route once, for the error of the default (float32 products) route.
  const t64 = performance.now();
  const exact = (await traceSqrtProduct(s1.covariance, s2.covariance, { products: 'float64' })).trace;
  const ms64 = performance.now() - t64;
  x.dispose();
  y.dispose();

  const rows: BenchRow[] = [];
  const row = (problem: string, method: string, theirMethod: string, t: { ours: Side; theirs: Side }, extra: object = {}): BenchRow => {
    const ours = median(t.ours.ms);
    const theirs = t.theirs.ms.length ? median(t.theirs.ms) : undefined;
    return {
      backend,
      problem,
      method,
      medianMs: ours,
      minMs: Math.min(...t.ours.ms),
      maxMs: Math.max(...t.ours.ms),
      repeats: t.ours.ms.length,
      peer: theirs === undefined ? 'no peer ran' : theirMethod,
      referenceMs: theirs,
      peerMinMs: theirs === undefined ? undefined : Math.min(...t.theirs.ms),
      peerMaxMs: theirs === undefined ? undefined : Math.max(...t.theirs.ms),
      ratioToReference: theirs === undefined ? undefined : ours / theirs,
      ratioRange: theirs === undefined ? undefined : ratioRange(t.ours.ms, t.theirs.ms),
      load: `${t.ours.loadBefore} → ${t.theirs.loadAfter ?? t.ours.loadAfter}`,
      ...extra,
    };
  };
  rows.push(
    row(
      `stats of one ${N}×${D} set`,
      'StreamingMoments (tfjs Gram, no transposed operand, f64 accumulate)',
      'np.mean + np.cov',
      timings.stats,
    ),
  );
  rows.push(
    row(
      `tr √(Σ₁Σ₂), d=${D}`,
      'traceSqrtProduct default: f64 Cholesky + f32 tfjs products + f64 tridiagonal QL',
      'scipy.linalg.sqrtm(Σ₁ @ Σ₂)',
      timings.trace,
      {
        error: Math.abs(ourTrace - exact) / exact,
        peerDiff: theirTrace ? Math.abs(ourTrace - theirTrace) / theirTrace : undefined,
      },
    ),
  );
  rows.push({
    backend,
    problem: `tr √(Σ₁Σ₂), d=${D}`,
    method: "products: 'float64' (all float64 JS), once",
    medianMs: ms64,
    minMs: ms64,
    maxMs: ms64,
    repeats: 1,
    load: loadavg(),
  });
  const ends = (side: 'ours' | 'theirs') => 2 * median(timings.stats[side].ms) + median(timings.trace[side].ms);
  if (typeof peer !== 'string') {
    rows.push({
      backend,
      problem: `FID ${N}×${D} (derived: 2 × stats + trace, medians)`,
      method: 'ours',
      medianMs: ends('ours'),
      minMs: NaN,
      maxMs: NaN,
      repeats: ROUNDS,
      referenceMs: ends('theirs'),
      ratioToReference: ends('ours') / ends('theirs'),
    });
  }
  writeResults(
    'metrics',
    rows,
    `Fréchet distance on ${N}×${D} features, ours (${backend}, 1 thread) and theirs (${typeof peer === 'string' ? `no peer ran: ${peer}` : `${versions}, OPENBLAS_NUM_THREADS=1`}) alternating run by run in one session, ${WARMUP} warm-up round(s), medians of ${ROUNDS}. ratioToReference = ours / theirs. 'error' = relative difference of our default tr √(Σ₁Σ₂) from the all-float64 route; peerDiff = from scipy's value on its own (different random) covariances, so only a sanity check. load = /proc/loadavg (1, 5, 15 min) before the first and after the last timed run.`,
  );
}
