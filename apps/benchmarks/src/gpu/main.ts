/**
 * The GPU benchmark, one command: neural ODE training (ordinary loop and device-resident forward),
 * neural SDE training and GBM Monte Carlo at growing batch sizes, on webgpu (Dawn: a real GPU
 * through Vulkan, or Mesa's lavapipe on a CPU) and on wasm, written to one JSON file.
 *
 * Bundled by `build.mjs` into one folder that runs with Node alone:
 *   node gpu-bench/bench.mjs [--out result.json] [--backends webgpu,wasm] [--quick]
 * From the repository: `pnpm --filter @nde/benchmarks gpu` (runs the TypeScript directly).
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
// Named here, not loaded by a computed name at run time, so the bundler takes them in.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { create, globals } from 'webgpu';
import { useBackend, type BackendName } from '@nde/core';
import { loadavg } from '../harness.js';
import { gbmMonteCarlo, neuralOdeTraining, neuralSdeTraining, type GpuRow, type RunSize } from './workloads.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'gpu-bench.json' },
    backends: { type: 'string', default: 'webgpu,wasm' },
    quick: { type: 'boolean', default: false },
  },
});

/** In the bundle the .wasm files sit next to bench.mjs; from the repository tfjs finds its own. */
const here = dirname(fileURLToPath(import.meta.url));
if (import.meta.url.endsWith('/bench.mjs')) setWasmPaths(`${here}/`);

/** Dawn's WebGPU as navigator.gpu (what tfjs-backend-webgpu looks for), and what adapter it found. */
async function exposeDawn(): Promise<Record<string, string> | undefined> {
  Object.assign(globalThis, globals);
  const gpu = create([]) as { requestAdapter(): Promise<{ info?: Record<string, string> } | null> };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return undefined;
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
}

const quick = values.quick;
const size: RunSize = quick ? { warmup: 1, repeats: 3 } : { warmup: 2, repeats: 5 };
const batches = {
  ode: quick ? [256, 4096] : [256, 4096, 65536],
  sde: quick ? [256, 4096] : [256, 4096, 65536],
  gbm: quick ? [1000, 100000] : [1000, 10000, 100000, 1000000],
};

const adapter = await exposeDawn();
// The webgpu backend registers itself on import only if navigator.gpu exists: import it after exposeDawn.
if (adapter) await import('@tensorflow/tfjs-backend-webgpu');
const rows: GpuRow[] = [];
const skipped: { backend: string; why: string }[] = [];
for (const backend of (values.backends ?? '').split(',').filter(Boolean)) {
  if (backend === 'webgpu' && !adapter) {
    skipped.push({ backend, why: 'Dawn found no WebGPU adapter (no GPU driver, and no lavapipe)' });
    continue;
  }
  await useBackend(backend as BackendName);
  const log = (r: GpuRow): void => {
    rows.push(r);
    console.log(
      `${r.backend} ${r.workload} ${r.mode} batch ${r.batch}: ${r.medianMs.toFixed(1)} ms (${r.samplesPerSecond.toExponential(2)} samples/s), ${r.steps} steps, ${r.hostReads} reads, GPU idle ${r.gpuIdleShare === null ? 'n/a' : (100 * r.gpuIdleShare).toFixed(0) + '%'}`,
    );
  };
  for (const batch of batches.ode) for (const mode of ['ordinary', 'device'] as const) log(await neuralOdeTraining(batch, mode, size));
  for (const batch of batches.sde) log(await neuralSdeTraining(batch, size));
  for (const batch of batches.gbm) for (const checkFinite of [true, false]) log(await gbmMonteCarlo(batch, checkFinite, size));
}

const out = {
  what: 'GPU benchmark (apps/benchmarks/src/gpu): throughput, host reads and GPU idle share per workload, backend and batch.',
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: os.cpus().length,
  loadavg: loadavg(),
  tfjs: tf.version.tfjs,
  adapter: adapter ?? null,
  quick,
  size,
  skipped,
  rows,
};
const path = values.out ?? 'gpu-bench.json';
writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${resolve(path)}`);
