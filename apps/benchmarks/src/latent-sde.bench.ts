/**
 * `pnpm bench latent-sde`: one latent-SDE training step (forward, backward, Adam) at the sizes of torchsde's
 * examples/latent_sde_lorenz.py — data 3, latent 4, context 64, hidden 128 (encoder GRU, drifts, each diffusion
 * coordinate), 100 observation times on [0, 2], Euler dt 1e-2 (200 steps) with the path KL, Gaussian observations
 * of std 0.01 — side by side with torchsde (apps/benchmarks/peers/latent_sde_peer.py, 1 thread) at batch 256 and
 * 1024, alternating run by run after warm-up. Ours: wasm (single-threaded in Node). Peak memory: tf.profile's
 * peakBytes over one step (tensor bytes), the process's max RSS; theirs: getrusage max RSS.
 *
 * Needs /usr/bin/python3 with torch and NDE_PEER_SRC pointing at the torchsde sources; without them it prints our
 * figures alone and says that no peer ran. NDE_LSDE_CASES=256:checkpoint,1024:checkpoint,256:backprop picks the
 * batches and our gradient (backprop through every step, or checkpointed: the posterior solve through
 * RecursiveCheckpointAdjoint and the encoder GRU through checkpointedScan; torchsde always backprops);
 * NDE_PEER_ROUNDS the rounds. peakTensorMB (tf.profile) counts a buffer once per tensor that views it;
 * wasmHeapMB, the heap's high-water mark, is the memory actually taken; it never shrinks, so the cases run from
 * the smallest footprint up and each reads the largest so far.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@nde/core';
import { Adam } from '@nde/nn';
import { LatentSDE } from '@nde/latent-models';
import { RecursiveCheckpointAdjoint } from '@nde/adjoint';
import { JsonLinePeer, loadavg, median, ratioRange, writeResults, type BenchRow } from './harness.js';

const ROUNDS = Number(process.env.NDE_PEER_ROUNDS ?? 5);
const WARMUP = 1;
/** Batch and gradient per case: backprop through every step, or checkpointed (solve and encoder). */
type Gradient = 'backprop' | 'checkpoint';
const CASES = (process.env.NDE_LSDE_CASES ?? '256:checkpoint,1024:checkpoint,256:backprop').split(',').map((c) => {
  const [b, g] = c.split(':');
  return { B: Number(b), gradient: (g ?? 'backprop') as Gradient };
});
/** Segments of the checkpointed posterior solve (200 steps) and of the encoder GRU (100 steps). */
const SOLVE_CHECKPOINTS = 16;
const ENCODER_CHECKPOINTS = 10;
const TIMES = 100;
const T1 = 2;
const peerScript = fileURLToPath(new URL('../peers/latent_sde_peer.py', import.meta.url));

function startPeer(): JsonLinePeer | string {
  const python = '/usr/bin/python3';
  if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return 'no python3 with torch';
  const src = process.env.NDE_PEER_SRC ?? '';
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', NDE_PEER_SRC: src };
  const probe = spawnSync(python, ['-c', 'import sys, os; sys.path[:0] = os.environ["NDE_PEER_SRC"].split(":"); import torchsde'], {
    encoding: 'utf8',
    env,
  });
  // torchsde imports `trampoline`; the peer brings a stand-in, so only a missing torchsde counts here.
  if (probe.status !== 0 && !/trampoline/.test(probe.stderr)) return 'torchsde not importable: set NDE_PEER_SRC to its sources';
  return JsonLinePeer.spawn(python, [peerScript], env);
}

/** Our training step at batch B, with its peak tensor bytes and step count. */
function ours(B: number, gradient: Gradient): { step: () => number; peakBytes: () => Promise<number>; steps: number; dispose: () => void } {
  const model = new LatentSDE({
    dataDim: 3,
    latentDim: 4,
    contextDim: 64,
    encoderHidden: 128,
    hidden: 128,
    diffusionHidden: 128,
    likelihood: 'gaussian',
    obsScale: 0.01,
    dt: 1e-2,
    method: 'euler',
    seed: 0,
  });
  const times = Array.from({ length: TIMES }, (_, i) => (T1 * i) / (TIMES - 1));
  const batch = {
    times,
    values: tf.randomNormal([B, TIMES, 3], 0, 1, 'float32', 1) as tf.Tensor3D,
    mask: tf.ones([B, TIMES, 3]) as tf.Tensor3D,
  };
  const opt = new Adam({ learningRate: 1e-2 });
  let seed = 0;
  let calls = 0;
  const apply = model.posteriorNet.apply.bind(model.posteriorNet);
  model.posteriorNet.apply = (...a: Parameters<typeof apply>) => (calls++, apply(...a));
  const memory =
    gradient === 'checkpoint'
      ? { adjoint: new RecursiveCheckpointAdjoint({ checkpoints: SOLVE_CHECKPOINTS }), encoderCheckpoints: ENCODER_CHECKPOINTS }
      : {};
  const step = (): number => {
    return opt.step(() => model.elbo(batch, { seed: seed++, ...memory }).loss, model).loss;
  };
  step();
  const steps = calls;
  return {
    step,
    steps,
    peakBytes: async () => (await tf.profile(() => void step())).peakBytes,
    dispose: () => (model.dispose(), tf.dispose([batch.values, batch.mask]), opt.dispose()),
  };
}

export async function run(): Promise<void> {
  await useBackend('wasm');
  const started = startPeer();
  const peer = typeof started === 'string' ? undefined : started;
  const noPeer = typeof started === 'string' ? started : undefined;
  const rows: BenchRow[] = [];
  for (const { B, gradient } of CASES) {
    const name = `latent SDE lorenz sizes, batch ${B}${gradient === 'checkpoint' ? ', checkpointed' : ''}`;
    const load0 = loadavg();
    let mine: ReturnType<typeof ours>;
    try {
      mine = ours(B, gradient);
    } catch (e) {
      rows.push({ backend: 'wasm', problem: name, method: 'euler', medianMs: NaN, minMs: NaN, maxMs: NaN, repeats: 0, failed: String(e) });
      continue;
    }
    const setup = peer ? await peer.ask({ cmd: 'setup', name, batch: B, times: TIMES, t1: T1 }) : undefined;
    const a: number[] = [];
    const b: number[] = [];
    let theirRss = 0;
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      const t0 = performance.now();
      mine.step();
      const ms = performance.now() - t0;
      if (r >= WARMUP) a.push(ms);
      if (peer) {
        const res = await peer.ask({ cmd: 'time', name });
        if (r >= WARMUP) b.push(res.ms as number);
        theirRss = res.maxrss_kb as number;
      }
    }
    const peakBytes = await mine.peakBytes();
    const wasmHeap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length ?? NaN;
    const row: BenchRow = {
      backend: 'wasm',
      problem: name,
      method:
        gradient === 'checkpoint'
          ? `euler dt 1e-2, checkpointed (solve ${SOLVE_CHECKPOINTS}, encoder ${ENCODER_CHECKPOINTS} segments)`
          : 'euler dt 1e-2, backprop',
      nfe: mine.steps,
      medianMs: median(a),
      minMs: Math.min(...a),
      maxMs: Math.max(...a),
      repeats: a.length,
      peakTensorMB: peakBytes / 2 ** 20,
      wasmHeapMB: wasmHeap / 2 ** 20,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      loadavgBefore: load0,
      loadavgAfter: loadavg(),
    };
    if (peer && b.length > 0) {
      row.referenceMs = median(b);
      row.referenceMinMs = Math.min(...b);
      row.referenceMaxMs = Math.max(...b);
      row.referenceSteps = setup?.steps;
      row.referenceMaxRssMB = theirRss / 1024;
      row.ratioToReference = median(a) / median(b);
      row.ratioRange = ratioRange(a, b);
    }
    rows.push(row);
    console.log(JSON.stringify(row));
    mine.dispose();
  }
  peer?.stop();
  writeResults(
    'latent-sde',
    rows,
    `One training step (forward + backward + Adam) at torchsde's latent_sde_lorenz.py sizes, ours on wasm vs torchsde, 1 thread each, alternating, medians of ${ROUNDS} after ${WARMUP} warm-up. ` +
      `nfe: our posterior-drift evaluations per step (one per Euler step); referenceSteps: torchsde's f calls (its shape checks add some). ` +
      `peakTensorMB: tf.profile peakBytes; maxRssMB: process max RSS (ours: node incl. the wasm heap; theirs: getrusage of the python peer, cumulative over batches).` +
      (noPeer ? ` No peer ran: ${noPeer}.` : ''),
  );
}
