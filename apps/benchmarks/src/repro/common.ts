/** Shared bits of the reproduction scripts: output folder, JSON writing, budget printing, stats. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@nde/core';
import { maskedMSE } from '@nde/latent-models';

/** `apps/benchmarks/results/repro/<name>/` (created). */
export function outDir(name: string): string {
  const dir = fileURLToPath(new URL(`../../results/repro/${name}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Write pretty JSON. */
export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Select wasm (fast for small matmuls) and print the budget up front. */
export async function start(name: string, budget: Record<string, number | string>): Promise<string> {
  const info = await useBackend('wasm');
  console.log(
    `[${name}] backend ${info.name}; budget ${Object.entries(budget)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  return info.name;
}

/** Mean and (sample) standard deviation. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

/** Mean squared error of `pred` against `target` as a number; disposes `pred` (the caller keeps `target`). */
export function mseOf(target: tf.Tensor, pred: tf.Tensor): number {
  const m = maskedMSE(target, pred);
  const v = m.dataSync()[0] as number;
  tf.dispose([m, pred]);
  return v;
}
