/**
 * What every long reproduction shares: training that can be stopped and resumed from its own
 * checkpoints, per-seed results that are computed once and kept, and the `claim` block of
 * `results.json`, computed from the numbers.
 *
 * Resuming is exact when each iteration derives its randomness from the iteration index (seed the
 * ε stream and the minibatch from `seed` and `i`), since the modules' parameters and the optimizers'
 * moments are restored from the checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Module } from '@nde/core';
import { loadCheckpoint, saveCheckpoint, type Optimizer } from '@nde/nn';
import { meanStd, writeJson } from './common.js';

/** A module and the optimizer that trains it. */
export interface TrainedPart {
  module: Module;
  optimizer: Optimizer;
}

/** Where a run stands: the next iteration to take and the history so far. */
export interface RunState<H> {
  next: number;
  history: H[];
}

/**
 * Checkpoints of one training run in `dir` (a folder per part, plus `state.json` holding the next
 * iteration and the history). Save every `every` iterations; resume from the last save.
 */
export class Checkpoints<H> {
  constructor(
    private readonly dir: string,
    private readonly parts: Record<string, TrainedPart>,
    private readonly every: number,
  ) {}

  private get statePath(): string {
    return `${this.dir}state.json`;
  }

  /** Restore the parts from the last checkpoint, if any; `{ next: 0, history: [] }` otherwise. */
  async resume(): Promise<RunState<H>> {
    if (!existsSync(this.statePath)) return { next: 0, history: [] };
    const state = JSON.parse(readFileSync(this.statePath, 'utf8')) as RunState<H>;
    for (const [name, { module, optimizer }] of Object.entries(this.parts)) {
      await loadCheckpoint(module, `file://${this.dir}${name}`, { optimizer });
    }
    console.log(`  resumed ${this.dir} at iteration ${state.next}`);
    return state;
  }

  /** Save when `next` is a multiple of `every` or the last iteration (`next === total`). */
  async maybeSave(state: RunState<H>, total: number): Promise<void> {
    if (state.next % this.every !== 0 && state.next !== total) return;
    for (const [name, { module, optimizer }] of Object.entries(this.parts)) {
      await saveCheckpoint(module, `file://${this.dir}${name}`, { iteration: state.next }, { optimizer });
    }
    // state.json last: a run stopped mid-save resumes from the previous, complete checkpoint.
    writeJson(this.statePath, state);
  }
}

/** Compute `compute()` once per seed and keep it in `path`; later runs read it back. */
export async function cachedResult<R>(path: string, compute: () => Promise<R>): Promise<R> {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as R;
  const result = await compute();
  writeJson(path, result);
  return result;
}

/** A metric summarised over seeds. */
export interface SeedSummary {
  mean: number;
  std: number;
  perSeed: number[];
}

/** Mean, sample std and the per-seed values. */
export function summarise(values: readonly number[]): SeedSummary {
  return { ...meanStd(values), perSeed: [...values] };
}

/** The `claim` block at the top of every `results.json`. */
export interface Claim {
  statement: string;
  holds: boolean;
  metric: string;
  ours: SeedSummary | number;
  baseline: SeedSummary | number | Record<string, SeedSummary | number>;
  seeds: number[];
  budget: Record<string, number | string | boolean>;
}

/** Print the claim and whether it holds, and return it (for `results.json`). */
export function reportClaim(claim: Claim): Claim {
  console.log(`CLAIM ${claim.holds ? 'HOLDS' : 'DOES NOT HOLD'}: ${claim.statement} [${claim.metric}]`);
  return claim;
}
