/**
 * `pnpm bench peer`: our workloads side by side with torchdiffeq and torchsde in the same session — the Python peer
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
import { useBackend, MLP } from '@nde/core';
import { ODETerm, PIDController, ConstantStepSize, SDETerm, sdeint, solve, type SolveOptions } from '@nde/solvers';
import { BrownianPath, key } from '@nde/brownian';
import { BacksolveAdjoint, ReversibleAdjoint, valueAndGrads } from '@nde/adjoint';
import { JsonLinePeer, loadavg, median, ratioRange, writeResults, type BenchRow } from './harness.js';

const ROUNDS = Number(process.env.NDE_PEER_ROUNDS ?? 7);
const WARMUP = 2;
/**
 * Warm-up and measuring also run until each has taken this many seconds of ours (NDE_PEER_SECONDS, default
 * 2): a 10 ms case settles only after ~10 runs (V8 tiers, the wasm heap's growth), so 2 warm-up runs and
 * 7 rounds measured mostly the warm-up. Rounds stop at 101.
 */
const MIN_SECONDS = Number(process.env.NDE_PEER_SECONDS ?? 2);
const MAX_ROUNDS = 101;
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

/** One side-by-side case: our run, what the peer sets up, and what to release after. */
interface Case {
  readonly name: string;
  readonly method: string;
  /** Runs ours once (results read back); returns the NFE (SDEs: the steps). */
  readonly once: () => number;
  readonly workload: string;
  readonly params: Record<string, unknown>;
  readonly dispose: () => void;
}

/** Layers as the peer takes them: [W (in × out), b] per layer. */
async function layersOf(mlp: MLP): Promise<[number[][], number[]][]> {
  return Promise.all(
    mlp.layers.map(
      async (l) => [await l.weight.array(), l.bias ? await l.bias.array() : new Array(l.weight.shape[1]).fill(0)] as [number[][], number[]],
    ),
  );
}

async function odeCase(w: Workload): Promise<Case> {
  const mlp = new MLP({ sizes: w.sizes, activation: 'tanh', seed: 1 });
  const y0 = tf.randomNormal([w.batch, w.sizes[0] as number], 0, 1, 'float32', 2);
  return {
    name: w.name,
    method: w.ourMethod,
    once: ours(w, mlp, y0),
    workload: 'mlp-ode',
    params: {
      // Same weights and initial state on both sides (tfjs stores x·W with W [in, out], as the peer does).
      layers: await layersOf(mlp),
      y0: await y0.array(),
      t1: 1,
      mode: w.mode,
      method: w.method,
      ...(w.rtol ? { rtol: w.rtol, atol: w.atol } : {}),
      ...(w.step ? { step: w.step } : {}),
    },
    dispose: () => (y0.dispose(), mlp.dispose()),
  };
}

/** GBM dX = 0.5 X dt + 0.3 X dW, X₀ = 1, 10 000 paths, Euler dt 0.01 over [0, 1] (torchsde's BrownianInterval with dt hint; ours BrownianPath). */
async function gbmCase(): Promise<Case> {
  const y0 = tf.ones([10000, 1]);
  let seed = 0;
  return {
    name: 'GBM 10 000 paths, Euler dt 0.01 on [0, 1]: forward',
    method: 'euler',
    once: () => {
      const ys = sdeint({ f: (_t, y) => tf.mul(y, 0.5), g: (_t, y) => tf.mul(y, 0.3) }, y0, [0, 1], {
        method: 'euler',
        dt: 0.01,
        seed: seed++,
      });
      ys.dataSync();
      ys.dispose();
      return 100;
    },
    workload: 'sde',
    params: { kind: 'gbm', y0: await y0.array(), dt: 0.01, t1: 1 },
    dispose: () => y0.dispose(),
  };
}

/** A neural SDE (drift MLP 2-64-2, diagonal diffusion 0.1·sigmoid(MLP 2-16-2)), batch 256, Euler dt 0.05 on [0, 1]: loss Σ y(1)², gradients by backprop. */
async function neuralSdeCase(): Promise<Case> {
  const drift = new MLP({ sizes: [2, 64, 2], activation: 'tanh', seed: 3 });
  const diffusion = new MLP({ sizes: [2, 16, 2], activation: 'tanh', seed: 4 });
  const y0 = tf.randomNormal([256, 2], 0, 1, 'float32', 5);
  let seed = 0;
  return {
    name: 'neural SDE drift 2-64-2, diffusion 2-16-2, batch 256, Euler dt 0.05: backprop',
    method: 'euler',
    once: () => {
      const terms = new SDETerm({
        drift: (_t, y) => drift.apply(y),
        diffusion: (_t, y) => tf.mul(0.1, tf.sigmoid(diffusion.apply(y))),
        bm: new BrownianPath({ t0: 0, t1: 1, shape: [256, 2], key: key(seed++) }),
        noise: 'diagonal',
      });
      const r = valueAndGrads({
        loss: (ys) => tf.sum(tf.square(ys as tf.Tensor)),
        solveOptions: { terms, solver: 'euler', t0: 0, t1: 1, y0, dt0: 0.05, stepSizeController: new ConstantStepSize() },
        params: { drift, diffusion },
        timeGrads: false,
      });
      r.grads.variables[0]?.tensor.dataSync();
      r.dispose();
      return 20;
    },
    workload: 'sde',
    params: { kind: 'neural', y0: await y0.array(), dt: 0.05, t1: 1, drift: await layersOf(drift), diffusion: await layersOf(diffusion) },
    dispose: () => (y0.dispose(), drift.dispose(), diffusion.dispose()),
  };
}

/** What the neural-SDE gradient cases compare: the solver and how the gradient is taken, on both sides. */
const SDE_GRADIENT_MODES = {
  'reversible Heun + reversible adjoint': { solver: 'reversible_heun', adjoint: 'reversible' },
  'midpoint + stochastic adjoint': { solver: 'midpoint', adjoint: 'backsolve' },
  'reversible Heun, backprop': { solver: 'reversible_heun', adjoint: 'direct' },
} as const;

/**
 * The neural SDE of ../shared/reference/neural_sde_adjoint.json: state 4, batch 64, drift MLP 4-32-4 tanh,
 * diffusion MLP 4-32-4 tanh then sigmoid (diagonal noise, each gᵢ depending on all of y), Stratonovich,
 * 100 steps of 0.01 on [0, 1], loss Σ y(1). Ours: BrownianPath; torchsde: BrownianInterval(dt = 0.01).
 */
async function neuralSdeGradientCase(mode: keyof typeof SDE_GRADIENT_MODES): Promise<Case> {
  const { solver, adjoint } = SDE_GRADIENT_MODES[mode];
  const drift = new MLP({ sizes: [4, 32, 4], activation: 'tanh', seed: 100 });
  const diffusion = new MLP({ sizes: [4, 32, 4], activation: 'tanh', finalActivation: 'sigmoid', seed: 200 });
  const y0 = tf.tidy(() => tf.mul(tf.randomNormal([64, 4], 0, 1, 'float32', 300), 0.5));
  let seed = 0;
  return {
    name: `neural SDE state 4, batch 64, 100 steps (neural_sde_adjoint.json): ${mode}`,
    method: solver,
    once: () => {
      const terms = new SDETerm({
        drift: (_t, y) => drift.apply(y),
        diffusion: (_t, y) => diffusion.apply(y),
        bm: new BrownianPath({ t0: 0, t1: 1, shape: [64, 4], key: key(seed++) }),
        noise: 'diagonal',
        sdeType: 'stratonovich',
      });
      const r = valueAndGrads({
        loss: (ys) => tf.sum(ys as tf.Tensor),
        solveOptions: { terms, solver, t0: 0, t1: 1, y0, dt0: 0.01, stepSizeController: new ConstantStepSize() },
        params: { drift, diffusion },
        timeGrads: false,
        ...(adjoint === 'reversible'
          ? { adjoint: new ReversibleAdjoint() }
          : adjoint === 'backsolve'
            ? { adjoint: new BacksolveAdjoint() }
            : {}),
      });
      r.grads.variables[0]?.tensor.dataSync();
      r.dispose();
      return 100;
    },
    workload: 'sde',
    params: {
      kind: 'neural-gradient',
      solver,
      adjoint,
      y0: await y0.array(),
      dt: 0.01,
      t1: 1,
      drift: await layersOf(drift),
      diffusion: await layersOf(diffusion),
    },
    dispose: () => (y0.dispose(), drift.dispose(), diffusion.dispose()),
  };
}

/** Which cases to run: NDE_PEER_CASES=ode,sde,sde-grad (default all; a subset writes results/peer-<subset>.json). */
const KINDS = (process.env.NDE_PEER_CASES ?? 'ode,sde,sde-grad').split(',');

/** Run the side-by-side workloads (the `backends` argument is ignored: ours is wasm, theirs torch on CPU). */
export async function run(): Promise<void> {
  await useBackend('wasm');
  const peer = startPeer();
  const rows: BenchRow[] = [];
  const startLoad = loadavg();
  const makers: (() => Promise<Case>)[] = [
    ...(KINDS.includes('ode') ? WORKLOADS.map((w) => () => odeCase(w)) : []),
    ...(KINDS.includes('sde') ? [gbmCase, neuralSdeCase] : []),
    ...(KINDS.includes('sde-grad')
      ? (Object.keys(SDE_GRADIENT_MODES) as (keyof typeof SDE_GRADIENT_MODES)[]).map((m) => () => neuralSdeGradientCase(m))
      : []),
  ];
  const versions: Record<string, string> = {};
  for (const make of makers) {
    const c = await make();
    let theirs: { nfe: number } | undefined;
    if (typeof peer !== 'string') {
      const r = await peer.ask({ cmd: 'setup', name: c.name, workload: c.workload, params: c.params });
      if (r.error) throw new Error(`peer setup failed: ${String(r.error)}`);
      theirs = { nfe: r.nfe as number };
      for (const k of ['torch', 'torchdiffeq', 'torchsde']) if (r[k]) versions[k] = String(r[k]);
    }
    const load0 = loadavg();
    const warmStart = performance.now();
    for (let i = 0; i < WARMUP || (performance.now() - warmStart < 1000 * MIN_SECONDS && i < MAX_ROUNDS); i++) {
      c.once();
      if (typeof peer !== 'string') await peer.ask({ cmd: 'time', name: c.name });
    }
    const oursMs: number[] = [];
    const theirsMs: number[] = [];
    let nfe = 0;
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    for (let i = 0; i < ROUNDS || (sum(oursMs) < 1000 * MIN_SECONDS && i < MAX_ROUNDS); i++) {
      const t = performance.now();
      nfe = c.once();
      oursMs.push(performance.now() - t);
      if (typeof peer !== 'string') theirsMs.push((await peer.ask({ cmd: 'time', name: c.name })).ms as number);
    }
    const row: BenchRow = {
      backend: 'wasm',
      problem: c.name,
      method: c.method,
      nfe,
      medianMs: median(oursMs),
      minMs: Math.min(...oursMs),
      maxMs: Math.max(...oursMs),
      repeats: oursMs.length,
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
      `${c.name}: ours ${row.medianMs.toFixed(1)} ms${row.ratio ? `, peer ${(row.peerMedianMs as number).toFixed(1)} ms, ratio ${(row.ratio as number).toFixed(2)} (${String(row.ratioRange)})` : ''}; load ${load0}`,
    );
    c.dispose();
  }
  if (typeof peer !== 'string') peer.stop();
  const peers = Object.entries(versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  writeResults(
    ['ode', 'sde', 'sde-grad'].every((k) => KINDS.includes(k)) ? 'peer' : `peer-${KINDS.join('-')}`,
    rows,
    typeof peer === 'string'
      ? `No peer ran (${peer}): our figures only, no ratios.`
      : `Side by side in one session: ours (wasm, 1 thread) alternating with the Python peer (${peers}; 1 thread), at least ${WARMUP} warm-up runs each and ${MIN_SECONDS} s of ours, medians of at least ${ROUNDS} runs and ${MIN_SECONDS} s of ours (the repeats column); ratio = ours / theirs (min–max range from the extremes). Load average at the start ${startLoad}, at the end ${loadavg()}.`,
  );
}
