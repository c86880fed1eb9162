/**
 * `pnpm bench peer`: our workloads side by side with torchdiffeq in the same session — the Python peer
 * (apps/benchmarks/peers/peer.py, Debian python3-torch, 1 thread) runs the same problem with the same weights and
 * initial state, the two sides alternate run by run after warm-up, and each row gives both medians, their
 * min–max, the ratio (ours / theirs: below 1 means we are faster) and the load average before and after.
 * Ours: wasm (single-threaded in Node).
 *
 * The peer needs the torchdiffeq (and torchsde) sources: NDE_PEER_SRC=dir1:dir2 with `torchdiffeq/` etc. inside
 * (e.g. `git archive` of the fetched repositories). Without python3 + torch + the sources this prints our figures
 * alone and says that no peer ran: it never divides by a figure recorded elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend, MLP, treeDispose } from '@nde/core';
import { ODETerm, PIDController, ConstantStepSize, solve, type SolveOptions } from '@nde/solvers';
import { BacksolveAdjoint, valueAndGrads } from '@nde/adjoint';
import { JsonLinePeer, loadavg, median, ratioRange, writeResults, type BenchRow } from './harness.js';

const ROUNDS = Number(process.env.NDE_PEER_ROUNDS ?? 7);
const WARMUP = 2;
const peerScript = fileURLToPath(new URL('../peers/peer.py', import.meta.url));

/** The torchdiffeq peer, or why it cannot run. */
function startPeer(): JsonLinePeer | string {
  const python = '/usr/bin/python3';
  const check = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (check.status !== 0) return 'no python3 with torch (apt-get install python3-torch)';
  const src = process.env.NDE_PEER_SRC ?? '';
  const probe = spawnSync(python, ['-c', 'import sys, os; sys.path[:0] = os.environ["NDE_PEER_SRC"].split(":"); import torchdiffeq'], {
    encoding: 'utf8',
    env: { ...process.env, NDE_PEER_SRC: src },
  });
  if (probe.status !== 0) return 'torchdiffeq not importable: set NDE_PEER_SRC to the folder(s) holding its sources';
  return JsonLinePeer.spawn(python, [peerScript], { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', NDE_PEER_SRC: src });
}

interface Workload {
  name: string;
  sizes: number[];
  batch: number;
  method: string;
  ourMethod: string;
  mode: 'forward' | 'backprop' | 'adjoint';
  rtol?: number;
  atol?: number;
  step?: number;
}

const WORKLOADS: Workload[] = [
  ...(['forward', 'backprop', 'adjoint'] as const).map((mode) => ({
    name: `neural ODE MLP 2-50-2, batch 256, dopri5 rtol 1e-3 atol 1e-4: ${mode}`,
    sizes: [2, 50, 2],
    batch: 256,
    method: 'dopri5',
    ourMethod: 'dopri5',
    mode,
    rtol: 1e-3,
    atol: 1e-4,
  })),
  ...(['forward', 'backprop'] as const).map((mode) => ({
    name: `MLP 32-256-256-32, batch 1024, rk4 20 steps: ${mode}`,
    sizes: [32, 256, 256, 32],
    batch: 1024,
    // torchdiffeq's 'rk4' is the 3/8 rule.
    method: 'rk4',
    ourMethod: 'rk38',
    mode,
    step: 0.05,
  })),
];

/** Our side of a workload: a function running it once (results read back), and its NFE. */
function ours(w: Workload, mlp: MLP, y0: tf.Tensor): () => number {
  const options: SolveOptions<tf.Tensor> = {
    terms: new ODETerm((_t: number, y: tf.Tensor) => mlp.apply(y)),
    solver: w.ourMethod,
    t0: 0,
    t1: 1,
    y0,
    ...(w.step !== undefined
      ? { dt0: w.step, stepSizeController: new ConstantStepSize() }
      : { stepSizeController: new PIDController({ rtol: w.rtol ?? 1e-3, atol: w.atol ?? 1e-4 }) }),
  };
  return () => {
    if (w.mode === 'forward') {
      const sol = solve(options);
      (sol.ys as tf.Tensor).dataSync();
      const nfe = sol.stats.nfe;
      sol.dispose();
      return nfe;
    }
    const r = valueAndGrads({
      loss: (ys) => tf.sum(tf.square(ys as tf.Tensor)),
      solveOptions: options,
      params: mlp,
      timeGrads: false,
      ...(w.mode === 'adjoint' ? { adjoint: new BacksolveAdjoint() } : {}),
    });
    r.grads.variables[0]?.tensor.dataSync();
    const nfe = r.stats.nfe;
    r.dispose();
    return nfe;
  };
}

/** Run the side-by-side workloads (the `backends` argument is ignored: ours is wasm, theirs torch on CPU). */
export async function run(): Promise<void> {
  await useBackend('wasm');
  const peer = startPeer();
  const rows: BenchRow[] = [];
  const startLoad = loadavg();
  for (const w of WORKLOADS) {
    const mlp = new MLP({ sizes: w.sizes, activation: 'tanh', seed: 1 });
    const y0 = tf.randomNormal([w.batch, w.sizes[0] as number], 0, 1, 'float32', 2);
    // Same weights and initial state on both sides (tfjs stores x·W with W [in, out], as the peer does).
    const layers = await Promise.all(
      mlp.layers.map(
        async (l) =>
          [await l.weight.array(), l.bias ? await l.bias.array() : new Array(l.weight.shape[1]).fill(0)] as [number[][], number[]],
      ),
    );
    const once = ours(w, mlp, y0);
    let theirs: { nfe: number } | undefined;
    if (typeof peer !== 'string') {
      const r = await peer.ask({
        cmd: 'setup',
        name: w.name,
        workload: 'mlp-ode',
        params: {
          layers,
          y0: await y0.array(),
          t1: 1,
          mode: w.mode,
          method: w.method,
          ...(w.rtol ? { rtol: w.rtol, atol: w.atol } : {}),
          ...(w.step ? { step: w.step } : {}),
        },
      });
      if (r.error) throw new Error(`peer setup failed: ${String(r.error)}`);
      theirs = { nfe: r.nfe as number };
    }
    const load0 = loadavg();
    for (let i = 0; i < WARMUP; i++) {
      once();
      if (typeof peer !== 'string') await peer.ask({ cmd: 'time', name: w.name });
    }
    const oursMs: number[] = [];
    const theirsMs: number[] = [];
    let nfe = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      nfe = once();
      oursMs.push(performance.now() - t);
      if (typeof peer !== 'string') theirsMs.push((await peer.ask({ cmd: 'time', name: w.name })).ms as number);
    }
    const row: BenchRow = {
      backend: 'wasm',
      problem: w.name,
      method: w.ourMethod,
      nfe,
      medianMs: median(oursMs),
      minMs: Math.min(...oursMs),
      maxMs: Math.max(...oursMs),
      repeats: ROUNDS,
      loadavgBefore: load0,
      loadavgAfter: loadavg(),
    };
    if (typeof peer !== 'string' && theirs) {
      row.peerMedianMs = median(theirsMs);
      row.peerMinMs = Math.min(...theirsMs);
      row.peerMaxMs = Math.max(...theirsMs);
      row.peerNfe = theirs.nfe;
      row.ratio = row.medianMs / (row.peerMedianMs as number);
      row.ratioRange = ratioRange(oursMs, theirsMs);
    }
    rows.push(row);
    console.log(
      `${w.name}: ours ${row.medianMs.toFixed(1)} ms${row.ratio ? `, torchdiffeq ${(row.peerMedianMs as number).toFixed(1)} ms, ratio ${(row.ratio as number).toFixed(2)}` : ''}`,
    );
    treeDispose(y0);
    mlp.dispose();
  }
  if (typeof peer !== 'string') peer.stop();
  writeResults(
    'peer',
    rows,
    typeof peer === 'string'
      ? `No peer ran (${peer}): our figures only, no ratios.`
      : `Side by side in one session: ours (wasm, 1 thread) alternating with torchdiffeq 0.2.5 on torch 1.13 (1 thread), ${WARMUP} warm-up runs each, medians of ${ROUNDS}; ratio = ours / theirs (min–max range from the extremes). Load average at the start ${startLoad}, at the end ${loadavg()}.`,
  );
}
