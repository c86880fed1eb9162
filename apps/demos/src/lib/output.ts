/** Output folders, quick mode and logging shared by the CLI demos (Node only). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const appRoot = fileURLToPath(new URL('../../', import.meta.url));

/** True when NDE_DEMO_QUICK=1 (tests): demos run a reduced version. */
export function isQuick(): boolean {
  return process.env.NDE_DEMO_QUICK === '1';
}

/** Options every demo takes. */
export interface DemoOptions {
  /** Output folder (default apps/demos/out/<demo>, or NDE_DEMO_OUT/<demo>). */
  out?: string;
  /** Reduced run (tests). Default: NDE_DEMO_QUICK=1. */
  quick?: boolean;
  /** tfjs backend (default wasm). */
  backend?: 'wasm' | 'cpu';
  /** Print logs (default true). */
  log?: boolean;
}

/** What a demo returns: where its files are and its headline numbers. */
export interface DemoResult {
  out: string;
  files: string[];
  summary: Record<string, unknown>;
}

/** Resolve and create the output folder of a demo. */
export function outDir(name: string, o: DemoOptions): string {
  const dir = resolve(o.out ?? join(process.env.NDE_DEMO_OUT ?? join(appRoot, 'out'), name));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Write pretty JSON (non-finite numbers become null, and are reported by the tests). */
export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A logger that prints to stdout unless `log: false`. */
export function logger(o: DemoOptions): (msg: string) => void {
  return o.log === false ? () => undefined : (msg) => console.log(msg);
}

/** Round for readable JSON. */
export function round(x: number, digits = 4): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}
